// Channels come from the backend's one list (`Channel` in the replica, generated into
// bindings/): the window keeps no list of its own, only the words for each.
import type { Channel } from "../bindings/Channel";
import { CHANNELS } from "../bindings/channels";

/** The channel filter's options: every channel the backend knows, in its order. */
export function channelOptions(): readonly Channel[] {
  return CHANNELS;
}

/** Whether a code from the backend is one of the channels this build knows. */
export function isChannel(code: string): code is Channel {
  return (CHANNELS as readonly string[]).includes(code);
}

/**
 * A channel code in words. A code this build does not know (written by a newer server) is
 * shown as it is rather than guessed at.
 */
export function channelLabel(names: Record<Channel, string>, code: string): string {
  return isChannel(code) ? names[code] : code;
}
