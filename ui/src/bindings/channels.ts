// Generated from crates/app/src/ipc.rs by ts-rs. Do not edit: run
// `SIMPUL_UPDATE_BINDINGS=1 cargo test -p simpul-app --test bindings`.
import type { Channel } from "./Channel";

/** Every channel, in the backend's order (`Channel::ALL`). */
export const CHANNELS: readonly Channel[] = ["interview", "paper", "kiosk", "web"];
