// Export render cost: wall time and peak memory per minute of output, for 6 clips x 5 s at 1280x720
// with music, through the same probe + ffmpeg command as the export job (storage and database aside:
// they add a copy of the file, not render time). Prints `name: value unit` lines.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasXfade, probeMedia } from '../src/export/probe.js';
import { buildRender, runRender } from '../src/export/render.js';
import { planCuts } from '../src/film/plan.js';
import { renderTimeline } from '../src/film/render-timeline.js';
import { ffmpegPath, ffprobePath } from '../src/platform/ffmpeg.js';
import { makeClipFile, makeMusicFile } from '../test/factories/export-media.js';

const CLIPS = Number(process.env.BENCH_EXPORT_CLIPS ?? 6);
const CLIP_S = Number(process.env.BENCH_EXPORT_CLIP_S ?? 5);

/**
 * Peak resident memory (VmHWM, kB) of this process's child processes and their CPU time, sampled
 * from /proc: CPU time does not depend on how busy the machine is, wall time does.
 */
function sampleChildren(): { stop(): { peakKb: number; cpuS: number } } {
  let peakKb = 0;
  const ticks = new Map<string, number>();
  const sample = async () => {
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
        peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
        // Fields after "pid (comm) ": utime and stime are the 12th and 13th.
        const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
        ticks.set(pid, Number(stat[11]) + Number(stat[12]));
      } catch {
        // the process ended between listing and reading
      }
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void sample().finally(() => (busy = false));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      // Linux counts CPU time in ticks of 1/100 s (USER_HZ).
      return { peakKb, cpuS: [...ticks.values()].reduce((a, b) => a + b, 0) / 100 };
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

    const started = performance.now();
    const children = sampleChildren();
    const clips = [];
    for (const file of files) clips.push({ path: file, durationS: (await probeMedia(ffprobe, file)).durationS });
    // Clips shown whole (cut on the beat off), laid out as the export job lays them out.
    const cuts = planCuts({ clips: clips.map((c, i) => ({ id: String(i), durationS: c.durationS })), beats: [], downbeats: [], musicDurationS: null, cutOnBeat: false, mode: 'beat' });
    const timeline = renderTimeline(cuts, clips.map((c) => c.durationS));
    const plan = buildRender({ clips, timeline, musicPath: music, width: 1280, height: 720, output: path.join(dir, 'export.mp4') });
    let lastProgress = 0;
    await runRender(ffmpeg, plan, { onProgress: (p) => (lastProgress = p) });
    const out = await probeMedia(ffprobe, path.join(dir, 'export.mp4'));
    const wallS = (performance.now() - started) / 1000;
    const { peakKb, cpuS } = children.stop();

    const nodePeakMb = process.resourceUsage().maxRSS / 1024;
    console.log(`export_output_duration: ${out.durationS.toFixed(2)} s`);
    console.log(`export_wall_time: ${wallS.toFixed(2)} s`);
    console.log(`export_wall_time_per_output_minute: ${(wallS / (out.durationS / 60)).toFixed(2)} s`);
    console.log(`export_speed: ${(out.durationS / wallS).toFixed(2)} x`);
    console.log(`export_cpu_time_per_output_minute: ${(cpuS / (out.durationS / 60)).toFixed(2)} s`);
    console.log(`export_peak_rss_mb: ${(peakKb / 1024).toFixed(1)} MB`);
    console.log(`export_node_peak_rss_mb: ${nodePeakMb.toFixed(1)} MB`);
    console.log(`export_final_progress: ${lastProgress.toFixed(2)} ratio`);
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
