// The survey page: a start screen, one question per screen, Send, then thanks while the outbox
// sends. Moving to another screen draws it anew and puts focus on its heading, so a screen
// reader reads the question; a tap or a keystroke updates the elements in place, so focus and
// the phone's keyboard stay where they are.
import { firstProblem, problem } from "./check";
import { h } from "./dom";
import { draftKey, dropDraft, loadDraft, saveDraft } from "./draft";
import { answersToSend, askedItems, nextItem, previousItem, screens } from "./flow";
import { kindOf, type Answers, type Item, type Lang, type SurveyData, type Text } from "./form";
import { strings } from "./i18n";
import { newId, Outbox, post, type FieldProblem, type Pending } from "./outbox";
import { Sender, type Refusal, type SendState } from "./sender";

const LANG_KEY = "simpul-survey-lang";

/** From this length a text item gets a text area (the suggestion); below, one line. */
const AREA_FROM = 300;

type Screen = "start" | "question" | "thanks" | "closed";

export function mountSurvey(root: HTMLElement, data: SurveyData, storage: Storage | null): void {
  const asked = askedItems(data.form.items, data.service);
  const outbox = new Outbox(storage);
  let lang: Lang = read(storage, LANG_KEY) === "en" ? "en" : "id";
  let screen: Screen = data.closed ? "closed" : "start";
  let current: string | null = null;
  let answers: Answers = {};
  /** Messages per item: the page's own check, or the server's about a refused set. */
  let errors: Record<string, Text> = {};
  /** The set this respondent sent, while the thank-you screen is theirs. */
  let sentId: string | null = null;
  let status: { state: SendState; pending: number } | null = null;
  let refusal: Refusal | null = null;
  /** The server called the link closed or unknown: no one else should start. */
  let gone = false;
  /** The paper sheet this page was opened from: one respondent's, so only the first set
   * carries it; "Isi lagi" after it starts an answer set of no sheet. */
  let serial = data.serial;
  /** A questionnaire left part-way on this phone (the tab reloaded or closed): offered on the
   * start screen, kept as the respondent answers. */
  const draft = data.closed ? null : loadDraft(storage, draftKey(data.token, serial));
  if (draft) answers = { ...draft.answers };
  let resumable = draft !== null;
  const keepDraft = () => saveDraft(storage, draftKey(data.token, serial), answers, current);
  const forgetDraft = () => dropDraft(storage, draftKey(data.token, serial));

  const t = () => strings[lang];
  const say = (text: Text) => text[lang];

  const langButton = (code: Lang, name: string) =>
    h("button", { type: "button", class: "lang", lang: code, "data-testid": `survey-lang-${code}`, onclick: () => setLang(code) }, name);
  const langButtons = [langButton("id", "Indonesia"), langButton("en", "English")];
  const langGroup = h("div", { class: "langs", role: "group" }, ...langButtons);
  const serialLine = data.serial ? h("p", { class: "serial", "data-testid": "survey-serial" }) : null;
  const main = h("main", { class: "screen" });
  // One element for the whole visit, so a screen reader hears each change of state.
  const statusLine = h("p", { class: "status", role: "status", "data-testid": "survey-status" });
  // A field people never see: a bot that fills every field fills it, and the server refuses it.
  const honeypot = h("input", { type: "text", name: "website", class: "hp", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
  root.replaceChildren(
    h("header", { class: "top" }, h("p", { class: "unit", "data-testid": "survey-unit" }, data.unit.name), serialLine, langGroup),
    main,
    honeypot,
  );

  const sender = new Sender(data.token, {
    outbox,
    post: (entry) => post(entry),
    later: (ms, task) => {
      const timer = setTimeout(task, ms);
      return () => clearTimeout(timer);
    },
    onState: (state, pending) => {
      status = { state, pending };
      drawStatus();
    },
    onRefused,
  });

  function setLang(code: Lang) {
    lang = code;
    write(storage, LANG_KEY, code);
    draw(false);
  }

  function draw(focus: boolean) {
    const s = t();
    document.documentElement.lang = lang;
    document.title = say(data.form.title);
    langButtons.forEach((button) => button.setAttribute("aria-pressed", String(button.lang === lang)));
    langGroup.setAttribute("aria-label", s.language);
    if (serialLine && serial) serialLine.textContent = s.serial(serial);
    main.replaceChildren(...content());
    drawStatus();
    if (focus) {
      window.scrollTo(0, 0);
      main.querySelector("h1")?.focus();
    }
  }

  function content(): Node[] {
    const s = t();
    switch (screen) {
      case "closed":
        return [heading(say(data.form.title)), h("p", { class: "lead", "data-testid": "survey-closed" }, s.closed), statusLine];
      case "start":
        return [
          heading(say(data.form.title)),
          h("p", { class: "lead" }, s.intro),
          ...(data.service ? [h("p", {}, s.service(data.service))] : []),
          ...(resumable
            ? [
                h("p", { class: "resume", "data-testid": "survey-resume-note" }, s.resumeNote),
                button("survey-start", s.resume, resume, "primary"),
                button("survey-restart", s.restart, restart),
              ]
            : [button("survey-start", s.start, () => go(nextItem(screens(asked, answers), null)), "primary")]),
          statusLine,
        ];
      case "thanks":
        return [
          h("section", { class: "thanks", "data-testid": "survey-thanks" }, heading(s.thanks), h("p", { class: "lead" }, s.thanksBody), statusLine),
          ...(gone ? [] : [button("survey-again", s.again, again)]),
        ];
      case "question":
        return question();
    }
  }

  function question(): Node[] {
    const s = t();
    const path = () => screens(asked, answers);
    const item = path().find((i) => i.id === current) ?? path()[0];
    const kind = kindOf(item);
    const title = heading(say(item.label));
    const hint = item.required ? null : h("p", { class: "hint", id: "q-hint" }, s.optional);
    const errorSlot = h("div");
    const progress = h("p", { class: "progress", "data-testid": "survey-progress", "aria-hidden": "true" });
    const bar = h("div", { class: "bar", role: "progressbar", "aria-valuemin": 1 }, h("div"));
    const forward = button("survey-next", "", () => next(item), "primary");
    let field: HTMLInputElement | HTMLTextAreaElement | null = null;

    /** Progress and the forward button follow the path, which an answer can lengthen. */
    const refresh = () => {
      const list = path();
      const at = list.indexOf(item) + 1;
      progress.textContent = `${at} / ${list.length}`;
      bar.setAttribute("aria-valuemax", String(list.length));
      bar.setAttribute("aria-valuenow", String(at));
      bar.setAttribute("aria-valuetext", s.progress(at, list.length));
      (bar.firstChild as HTMLElement).style.width = `${(100 * at) / list.length}%`;
      const last = nextItem(list, item.id) === null;
      forward.textContent = last ? s.send : s.next;
      forward.dataset.testid = last ? "survey-send" : "survey-next";
    };
    const showError = () => {
      const error = errors[item.id];
      errorSlot.replaceChildren(...(error ? [h("p", { class: "error", id: "q-error", role: "alert", "data-testid": "survey-error" }, say(error))] : []));
      const described = [hint && "q-hint", error && "q-error"].filter(Boolean).join(" ");
      const target = field ?? control;
      if (described) target.setAttribute("aria-describedby", described);
      else target.removeAttribute("aria-describedby");
      field?.setAttribute("aria-invalid", String(Boolean(error)));
    };
    const answer = (value: string) => {
      answers[item.id] = value;
      keepDraft();
      delete errors[item.id];
      showError();
      refresh();
    };

    let control: HTMLElement;
    if (kind.type === "scored" || kind.type === "choice") {
      const options =
        kind.type === "scored" ? kind.options.map((label, i) => ({ code: String(i + 1), label })) : kind.options;
      const testId = kind.type === "scored" ? "survey-score" : "survey-option";
      const buttons = options.map((option) =>
        h(
          "button",
          {
            type: "button",
            class: "answer",
            "aria-pressed": String(answers[item.id] === option.code),
            "data-testid": `${testId}-${item.id}-${option.code}`,
            onclick: () => {
              // An optional answer can be taken back; a required one only changed, so a
              // double tap never empties it.
              answer(!item.required && answers[item.id] === option.code ? "" : option.code);
              buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(answers[item.id] === options[i].code)));
            },
          },
          say(option.label),
        ),
      );
      control = h("fieldset", { class: `answers ${kind.type}` }, h("legend", {}, title), hint, ...buttons);
    } else {
      const attrs = {
        id: "q-input",
        class: "input",
        "aria-labelledby": "q",
        "data-testid": `survey-input-${item.id}`,
        autocomplete: "off",
        oninput: () => answer(field!.value),
        // Some ways of emptying a field (autofill, a test driver's clear) fire only `change`.
        onchange: () => answer(field!.value),
      };
      field =
        kind.type === "text" && kind.maxLen >= AREA_FROM
          ? h("textarea", { ...attrs, rows: 5 })
          : h("input", {
              ...attrs,
              type: "text",
              inputmode: kind.type === "integer" ? "numeric" : null,
              onkeydown: (event) => {
                if ((event as KeyboardEvent).key === "Enter") next(item);
              },
            });
      field.value = answers[item.id] ?? "";
      control = h("div", { class: "field" }, title, hint, field);
    }
    refresh();
    showError();
    return [
      h("div", { class: "where" }, progress, bar),
      control,
      errorSlot,
      h("nav", { class: "nav" }, button("survey-back", s.back, () => back(item)), forward),
      statusLine,
    ];
  }

  /** Next, or Send on the last screen: the answer on screen must pass first. */
  function next(item: Item) {
    const text = problem(item, answers[item.id]);
    if (text) {
      errors[item.id] = text;
      draw(false);
      main.querySelector<HTMLElement>("#q-input, .answer")?.focus();
      return;
    }
    go(nextItem(screens(asked, answers), item.id));
  }

  function back(item: Item) {
    const previous = previousItem(screens(asked, answers), item.id);
    if (previous) {
      go(previous);
    } else {
      screen = "start";
      draw(true);
    }
  }

  /** To the screen of `id`; past the last one, Send. */
  function go(id: string | null) {
    if (id === null) {
      send();
      return;
    }
    screen = "question";
    current = id;
    if (Object.keys(answers).length > 0) keepDraft();
    draw(true);
  }

  /** Back to the question the draft was saved at (the first, if it no longer applies). */
  function resume() {
    resumable = false;
    const list = screens(asked, answers);
    go(list.some((item) => item.id === draft?.current) ? draft!.current : nextItem(list, null));
  }

  /** The draft was someone else's, or the respondent wants a clean sheet. */
  function restart() {
    resumable = false;
    answers = {};
    errors = {};
    forgetDraft();
    go(nextItem(screens(asked, answers), null));
  }

  /** Makes the answer set once, keeps it on the phone, thanks the respondent, and lets the
   * outbox deliver it whatever the signal does. */
  function send() {
    const list = screens(asked, answers);
    const fault = firstProblem(list, answers);
    if (fault) {
      errors[fault.item] = fault.text;
      go(fault.item);
      return;
    }
    const entry: Pending = {
      token: data.token,
      id: newId(),
      serial,
      answers: answersToSend(list, answers),
      created_at: new Date().toISOString(),
    };
    if (honeypot.value) entry.website = honeypot.value;
    // The set is in the outbox from here on; the draft has done its job.
    forgetDraft();
    sentId = entry.id;
    refusal = null;
    screen = "thanks";
    void sender.submit(entry);
    draw(true);
  }

  /** A fresh, empty set for the next person at a counter tablet. */
  function again() {
    forgetDraft();
    resumable = false;
    serial = null;
    serialLine?.remove();
    answers = {};
    errors = {};
    current = null;
    sentId = null;
    honeypot.value = "";
    screen = gone ? "closed" : "start";
    draw(true);
  }

  function onRefused(next: Refusal) {
    refusal = next;
    const { entry, outcome } = next;
    if (outcome.kind === "invalid" && entry.id === sentId && screen === "thanks" && backToFix(outcome.fields)) return;
    if (outcome.kind === "refused" && (outcome.status === 404 || outcome.status === 410)) {
      gone = true;
      if (screen === "start") screen = "closed";
      // Someone mid-questionnaire keeps their screen; the rest show that it is over.
      if (screen !== "question") draw(false);
    }
  }

  /** The respondent is still on the thank-you screen of the refused set: back to the first
   * question at fault, with the server's messages; Send then makes a new set. `false` when
   * nothing at fault is a question they can change. */
  function backToFix(fields: FieldProblem[]): boolean {
    const first = screens(asked, answers).find((item) => fields.some((field) => field.item === item.id));
    if (!first) return false;
    errors = Object.fromEntries(fields.map((field) => [field.item, { id: field.id, en: field.en }]));
    sentId = null;
    go(first.id);
    return true;
  }

  function drawStatus() {
    statusLine.hidden = !status || (screen !== "thanks" && status.pending === 0);
    if (!status) return;
    statusLine.dataset.state = status.state;
    statusLine.textContent = statusText(status.state, status.pending);
  }

  function statusText(state: SendState, pending: number): string {
    const s = t();
    const queued = pending > 1 ? ` ${s.queued(pending)}` : "";
    switch (state) {
      case "sending":
        return s.sending + queued;
      case "waiting":
        return (outbox.durable ? s.waiting : s.waitingOpen) + queued;
      case "sent":
        return s.sent;
      case "refused": {
        const outcome = refusal?.outcome;
        if (outcome?.kind === "invalid") {
          return outcome.fields.length > 0 ? [s.refusedAnswers, ...outcome.fields.map(say)].join(" ") : s.refusedOther(422);
        }
        if (outcome?.status === 410) return s.refusedClosed;
        if (outcome?.status === 404) return s.refusedUnknown;
        return s.refusedOther(outcome?.status ?? 0);
      }
    }
  }

  addEventListener("online", () => void sender.drain());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void sender.drain();
  });
  draw(false);
  // Whatever earlier visits left behind goes now.
  void sender.drain();
}

function heading(text: string): HTMLHeadingElement {
  return h("h1", { id: "q", tabindex: "-1" }, text);
}

function button(testId: string, label: string, onClick: () => void, style = "secondary"): HTMLButtonElement {
  return h("button", { type: "button", class: style, "data-testid": testId, onclick: onClick }, label);
}

function read(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(storage: Storage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Only a preference; the page works without it.
  }
}
