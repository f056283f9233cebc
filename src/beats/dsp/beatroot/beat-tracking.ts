// Ported from music-tempo 1.0.3 BeatTracking (MIT, Copyright (c) 2017 killercrush; see LICENSE in this folder).
import { Agent } from './agent.js';
import type { BeatRootParams } from './params.js';

/** Runs competing agents, one per tempo hypothesis (and their forks), over the onsets; returns the survivors. */
export function trackBeat(events: number[], eventsScores: number[], tempoList: number[], params: BeatRootParams = {}): Agent[] {
  const initPeriod = params.initPeriod || 5;
  const thresholdBI = params.thresholdBI || 0.02;
  const thresholdBT = params.thresholdBT || 0.04;
  const agents: Agent[] = [];

  function removeSimilarAgents() {
    agents.sort((a1, a2) => a1.beatInterval - a2.beatInterval);
    const length = agents.length;
    for (let i = 0; i < length; i++) {
      if (agents[i]!.score < 0) continue;
      for (let j = i + 1; j < length; j++) {
        if (agents[j]!.beatInterval - agents[i]!.beatInterval > thresholdBI) break;
        if (Math.abs(agents[j]!.beatTime - agents[i]!.beatTime) > thresholdBT) continue;
        if (agents[i]!.score < agents[j]!.score) agents[i]!.score = -1;
        else agents[j]!.score = -1;
      }
    }
    for (let i = length - 1; i >= 0; i--) if (agents[i]!.score < 0) agents.splice(i, 1);
  }

  for (const tempo of tempoList) agents.push(new Agent(tempo, events[0]!, eventsScores[0]!, agents, params));
  let j = 1;
  removeSimilarAgents();
  while (events[j]! < initPeriod) {
    const agentsLength = agents.length;
    let prevBeatInterval = -1;
    let isEventAccepted = true;
    for (let k = 0; k < agentsLength; k++) {
      if (agents[k]!.beatInterval !== prevBeatInterval) {
        if (!isEventAccepted) agents.push(new Agent(prevBeatInterval, events[j]!, eventsScores[j]!, agents, params));
        prevBeatInterval = agents[k]!.beatInterval;
        isEventAccepted = false;
      }
      isEventAccepted = agents[k]!.considerEvent(events[j]!, eventsScores[j]!) || isEventAccepted;
    }
    removeSimilarAgents();
    j++;
  }
  for (let i = j; i < events.length; i++) {
    const agentsLength = agents.length;
    for (let k = 0; k < agentsLength; k++) agents[k]!.considerEvent(events[i]!, eventsScores[i]!);
    removeSimilarAgents();
  }
  return agents;
}
