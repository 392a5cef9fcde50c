import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Tauri serves the built files from disk and its dev window expects a fixed port.
export default defineConfig({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  // The Linux webview is WebKitGTK; Safari 15 is the oldest engine it ships as.
  build: { target: ["es2021", "safari15"], outDir: "dist", sourcemap: false },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
