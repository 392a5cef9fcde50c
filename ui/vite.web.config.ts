import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The supervisors' web, served by simpul-server at `/` from files embedded in its binary.
// Its own output folder, so the app's `dist` (compiled into the Tauri binary) stays apart.
// Hashed file names under /assets/ let the server cache them for a year.
export default defineConfig({
  plugins: [react()],
  base: "/",
  clearScreen: false,
  // `npm run dev:web` proxies the API to a server on 8080 (`simpul-server serve`).
  server: { port: 1421, strictPort: true, proxy: { "/api": "http://127.0.0.1:8080" } },
  build: {
    target: ["es2021", "safari15"],
    outDir: "dist-web",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: { input: "web.html" },
  },
});
