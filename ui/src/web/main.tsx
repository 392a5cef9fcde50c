import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { PublicPage } from "./pages/Public";
import { publicCode } from "./routes";
import { WebApp } from "./WebApp";
import "../styles.css";
import "./web.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    {publicCode(location.pathname) !== null ? (
      <PublicPage code={publicCode(location.pathname)!} search={location.search} />
    ) : (
      <WebApp />
    )}
  </StrictMode>,
);
