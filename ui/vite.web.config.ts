import { build, defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const target = ["es2021", "safari15"];

// The supervisors' web, served by simpul-server at `/` from files embedded in its binary.
// Its own output folder, so the app's `dist` (compiled into the Tauri binary) stays apart.
// Hashed file names under /assets/ let the server cache them for a year.
export default defineConfig({
  plugins: [react(), surveyPage()],
  base: "/",
  clearScreen: false,
  // `npm run dev:web` proxies the API to a server on 8080 (`simpul-server serve`).
  server: { port: 1421, strictPort: true, proxy: { "/api": "http://127.0.0.1:8080" } },
  build: {
    target,
    outDir: "dist-web",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: { input: "web.html" },
  },
});

/**
 * The respondents' survey page (`/f/<token>`), built into the same folder once the web is: a
 * build of its own, so it shares no chunk with the web (not even Vite's module-preload
 * polyfill, which two pages in one build would split out and both load) and the web's files
 * stay exactly as they were. Its service worker keeps a fixed name: the server serves it at
 * `/f/sw.js`.
 */
function surveyPage(): Plugin {
  return {
    name: "simpul-survey-page",
    apply: "build",
    async closeBundle() {
      await build({
        configFile: false,
        base: "/",
        clearScreen: false,
        build: {
          target,
          outDir: "dist-web",
          emptyOutDir: false,
          sourcemap: false,
          // One script, nothing to preload.
          modulePreload: false,
          rollupOptions: {
            input: { survey: "survey.html", "survey-sw": "src/survey/sw.ts" },
            output: {
              entryFileNames: (chunk) => (chunk.name === "survey-sw" ? "survey-sw.js" : "assets/[name]-[hash].js"),
            },
          },
        },
      });
    },
  };
}
