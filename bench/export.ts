// Export render cost of a one-minute film (12 clips x 5.3 s at 1280x720, 24 fps, with music, the
// 0.3 s crossfades), at 720p and at 1080p: wall time, CPU time and ffmpeg's peak memory (the largest
// one ffmpeg, and all of them at once: pieces render side by side), through the
// same probe + ffmpeg commands as the export job (storage and database aside: they add a copy of the
// file, not render time). Prints `name: value unit` lines; the targets are 30 s and 60 s wall.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasXfade, probeMedia } from '../src/export/probe.js';
import { buildRender, runRender } from '../src/export/render.js';
import { filmFrameRate, frameSize, videoMaxKbps } from '../src/export/options.js';
import { planCuts } from '../src/film/plan.js';
import { renderTimeline } from '../src/film/render-timeline.js';
import { ffmpegPath, ffprobePath } from '../src/platform/ffmpeg.js';
import { makeClipFile, makeMusicFile } from '../test/factories/export-media.js';

const CLIPS = Number(process.env.BENCH_EXPORT_CLIPS ?? 12);
const CLIP_S = Number(process.env.BENCH_EXPORT_CLIP_S ?? 5.3);

/** CPU time (s) of this process's children that have ended and been waited for: /proc/self/stat's cutime + cstime. */
async function endedChildrenCpuS(): Promise<number> {
  const stat = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  // Fields after "pid (comm) ": cutime and cstime are the 14th and 15th; ticks of 1/100 s (USER_HZ).
  return (Number(stat[13]) + Number(stat[14])) / 100;
}

/**
 * Peak resident memory (VmHWM, kB) of this process's child processes, sampled from /proc every
 * 250 ms (each ffmpeg lives for seconds; a faster scan of /proc took most of a core from them), and
 * their CPU time, exact, from what the kernel adds up for ended children: CPU time does not depend
 * on how busy the machine is, wall time does.
 */
async function sampleChildren(): Promise<{ stop(): Promise<{ peakKb: number; peakTogetherKb: number; cpuS: number }> }> {
  let peakKb = 0;
  let peakTogetherKb = 0;
  const cpuBefore = await endedChildrenCpuS();
  const sample = async () => {
    let together = 0;
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
        peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
        together += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      } catch {
        // the process ended between listing and reading
      }
    }
    peakTogetherKb = Math.max(peakTogetherKb, together);
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void sample().finally(() => (busy = false));
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      return { peakKb, peakTogetherKb, cpuS: (await endedChildrenCpuS()) - cpuBefore };
    },
  };
}

export async function main(): Promise<void> {
  const ffmpeg = ffmpegPath(process.env.FFMPEG_PATH);
  const ffprobe = ffprobePath(process.env.FFPROBE_PATH);
  if (!(await hasXfade(ffmpeg))) throw new Error(`${ffmpeg} has no xfade filter; set FFMPEG_PATH`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-export-'));
  try {
    const files = await Promise.all(Array.from({ length: CLIPS }, () => makeClipFile(dir, { width: 1280, height: 720, durationS: CLIP_S })));
    const music = await makeMusicFile(dir, CLIPS * CLIP_S + 10);

    for (const resolution of [720, 1080] as const) {
      const started = performance.now();
      const children = await sampleChildren();
      const clips = [];
      for (const file of files) {
        const info = await probeMedia(ffprobe, file);
        clips.push({ path: file, durationS: info.durationS, width: info.width, height: info.height, fps: info.fps });
      }
      // Clips shown whole (cut on the beat off), laid out as the export job lays them out.
      const cuts = planCuts({ clips: clips.map((c, i) => ({ id: String(i), durationS: c.durationS })), beats: [], downbeats: [], musicDurationS: null, cutOnBeat: false, mode: 'beat' });
      const timeline = renderTimeline(cuts, clips.map((c) => c.durationS));
      const size = frameSize({ resolution, shape: 'project' }, '1280:720');
      const { rate, fps } = filmFrameRate(clips.map((c, i) => ({ fps: c.fps, shownS: timeline.segments[i]!.outS })));
      const output = path.join(dir, `export-${resolution}.mp4`);
      const plan = buildRender({ clips, timeline, musicPath: music, ...size, frameRate: rate, maxKbps: videoMaxKbps(size, resolution, fps), output });
      let lastProgress = 0;
      await runRender(ffmpeg, plan, { onProgress: (p) => (lastProgress = p) });
      const out = await probeMedia(ffprobe, output);
      const wallS = (performance.now() - started) / 1000;
      const { peakKb, peakTogetherKb, cpuS } = await children.stop();
      const n = `export_${resolution}p`;
      console.log(`${n}_output: ${out.width}x${out.height} ${out.frameRate} fps ${out.durationS.toFixed(2)} s`);
      console.log(`${n}_wall_time: ${wallS.toFixed(2)} s`);
      console.log(`${n}_wall_time_per_output_minute: ${(wallS / (out.durationS / 60)).toFixed(2)} s`);
      console.log(`${n}_cpu_time_per_output_minute: ${(cpuS / (out.durationS / 60)).toFixed(2)} s`);
      console.log(`${n}_peak_rss_mb: ${(peakKb / 1024).toFixed(1)} MB`);
      console.log(`${n}_peak_rss_all_ffmpeg_mb: ${(peakTogetherKb / 1024).toFixed(1)} MB`);
      console.log(`${n}_file_mb: ${((await stat(output)).size / 1048576).toFixed(1)} MB`);
      console.log(`${n}_final_progress: ${lastProgress.toFixed(2)} ratio`);
    }
    console.log(`export_node_peak_rss_mb: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
    console.log(`export_load_average_1m: ${os.loadavg()[0]!.toFixed(1)} (${os.cpus().length} cores)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
