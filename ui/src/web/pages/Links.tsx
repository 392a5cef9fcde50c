// A unit's survey links (respondents answer on their own phone at /f/TOKEN), their posters
// for the counter, and numbered paper questionnaires each carrying its own link. Everyone who
// sees the unit sees the links; those who decide for it create, close and print. Below them,
// how the unit's invitations (single-use links sent to service users one by one) fared.
import { useRef, useState } from "react";
import { digitsOnly, formatDateTime } from "../../lib/format";
import { api, qrHref } from "../api";
import {
  INVITATION_CHANNELS,
  formatRate,
  invitationContact,
  invitationState,
  inviteCommand,
  newestInvitations,
  responseRate,
  totalTally,
} from "../invitations";
import { Link } from "../Link";
import {
  MAX_SHEETS,
  checkPaper,
  linkAddress,
  newLinkBody,
  paperFormsHref,
  periodChoices,
  posterHref,
  serialRange,
} from "../links";
import { useWeb } from "../shell";
import type { Invitation, InvitationTally, SurveyLink } from "../types";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

type Message = { ok: boolean; text: string };

export function LinksPage({ code }: { code: string }) {
  const { t, me } = useWeb();
  const l = t.links;
  const decides = me.role !== "viewer";
  const { data: links, error, reload } = useLoad(() => api.links(code), `links|${code}`);
  const { data: summary } = useLoad(() => api.summary(code), `links-summary|${code}`);
  const { data: overview, error: noOverview } = useLoad(() => api.overview(), `links-overview|${code}`);
  const active = overview?.units.find((u) => u.unit === code)?.period ?? null;
  const periods = periodChoices(active, summary?.periods ?? []);
  const [message, setMessage] = useState<Message | null>(null);

  return (
    <section data-testid="page-links">
      <p>
        <Link to={{ name: "unit", code }}>{l.back}</Link>
      </p>
      <h1>{l.title(code)}</h1>
      <p>{l.intro}</p>
      {!decides && <p className="muted">{l.viewerOnly}</p>}
      <datalist id="links-periods">
        {periods.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>

      {decides && (
        <NewLink code={code} services={summary?.services.map((s) => s.service) ?? []} onDone={setMessage} reload={reload} />
      )}
      {message && (
        <p role="status" className={message.ok ? "ok" : "error"} data-testid="links-message">
          {message.text}
        </p>
      )}

      <h2>{l.listTitle}</h2>
      {error && <LoadError message={error} retry={reload} />}
      {!links && !error && <p>{t.loading}</p>}
      {links && links.length === 0 && <p className="muted">{l.none}</p>}
      {links && links.length > 0 && (
        <div className="web-scroll">
          <table className="web-table" data-testid="links-table">
            <thead>
              <tr>
                <th>{l.address}</th>
                <th>{l.service}</th>
                <th>{l.period}</th>
                <th className="num">{l.answers}</th>
                <th>{l.madeBy}</th>
                <th>{l.state}</th>
                <th>{l.qr}</th>
                {decides && <th />}
              </tr>
            </thead>
            <tbody>
              {links.map((link) => (
                <LinkRow key={link.token} link={link} active={active} decides={decides} onDone={setMessage} reload={reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Invitations code={code} />

      {/* Once the active period is known, so that the fields do not start out wrong. */}
      {decides && (overview || noOverview) && <PaperForms code={code} defaultPeriod={active ?? periods[0] ?? ""} />}
    </section>
  );
}

/** A new link, for one service or all, for one period or the active one whichever it is. */
function NewLink({
  code,
  services,
  onDone,
  reload,
}: {
  code: string;
  services: string[];
  onDone: (message: Message) => void;
  reload: () => void;
}) {
  const { t, failed } = useWeb();
  const l = t.links;
  const [service, setService] = useState("");
  const [period, setPeriod] = useState("");
  const [busy, setBusy] = useState(false);

  return (
    <>
      <h2>{l.newTitle}</h2>
      <form
        className="web-filters"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            await api.createLink(code, newLinkBody(service, period));
            setService("");
            setPeriod("");
            onDone({ ok: true, text: l.created });
            reload();
          } catch (error) {
            onDone({ ok: false, text: failed(error) });
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          {l.service}
          <input
            data-testid="link-service"
            list="links-services"
            size={28}
            value={service}
            placeholder={l.serviceHint}
            onChange={(e) => setService(e.target.value)}
          />
          <datalist id="links-services">
            {services.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        <label>
          {l.period}
          <input
            data-testid="link-period"
            list="links-periods"
            size={24}
            value={period}
            placeholder={l.periodHint}
            onChange={(e) => setPeriod(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" data-testid="link-create" disabled={busy}>
          {l.create}
        </button>
      </form>
    </>
  );
}

/** One link: its address to copy, what it collects, and while open its QR code and poster. */
function LinkRow({
  link,
  active,
  decides,
  onDone,
  reload,
}: {
  link: SurveyLink;
  active: string | null;
  decides: boolean;
  onDone: (message: Message) => void;
  reload: () => void;
}) {
  const { t, lang, failed } = useWeb();
  const l = t.links;
  const address = linkAddress(window.location.origin, link.token);
  const shown = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<"copied" | "copyByHand" | null>(null);
  const [confirming, setConfirming] = useState(false);
  const when = (iso: string) => formatDateTime(iso, lang) ?? iso;

  // The clipboard API exists only on https (or localhost); on a plain-http office network the
  // address is selected for the person to copy.
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setCopied("copied");
    } catch {
      if (shown.current) window.getSelection()?.selectAllChildren(shown.current);
      setCopied("copyByHand");
    }
  };

  const close = async () => {
    try {
      await api.closeLink(link.token);
      onDone({ ok: true, text: l.closed });
      reload();
    } catch (error) {
      onDone({ ok: false, text: failed(error) });
    } finally {
      setConfirming(false);
    }
  };

  return (
    <tr data-testid="link-row" data-token={link.token} className={link.closed_at ? "muted" : undefined}>
      <td className="web-link-address">
        <code data-testid="link-address" ref={shown}>
          {address}
        </code>
        {!link.closed_at && (
          <button type="button" className="small" data-testid="link-copy" onClick={copy}>
            {l.copy}
          </button>
        )}
        {copied && <div className="muted">{l[copied]}</div>}
      </td>
      <td>{link.service ?? l.allServices}</td>
      <td>
        {link.period ?? l.activePeriod}
        {!link.period && active && <div className="muted">{l.activeNow(active)}</div>}
      </td>
      <td className="num" data-testid="link-answers">
        {link.answers}
      </td>
      <td>
        {link.created_by}
        <div className="muted">{when(link.created_at)}</div>
      </td>
      <td data-testid="link-state">{link.closed_at ? l.closedAt(when(link.closed_at)) : l.open}</td>
      <td>
        {!link.closed_at && (
          <>
            <img
              className="web-qr"
              data-testid="link-qr"
              src={qrHref(address)}
              alt={l.qrAlt(address)}
              width={112}
              height={112}
            />
            <a href={posterHref(link.token, window.location.origin)} data-testid="link-poster" download>
              {l.poster}
            </a>
          </>
        )}
      </td>
      {decides && (
        <td>
          {!link.closed_at &&
            (confirming ? (
              <>
                <span>{l.closeSure}</span>{" "}
                <button type="button" className="danger" data-testid="link-close-confirm" onClick={close}>
                  {l.closeYes}
                </button>{" "}
                <button type="button" className="small" onClick={() => setConfirming(false)}>
                  {l.cancel}
                </button>
              </>
            ) : (
              <button type="button" className="small" data-testid="link-close" onClick={() => setConfirming(true)}>
                {l.close}
              </button>
            ))}
        </td>
      )}
    </tr>
  );
}

/** Numbered questionnaires of one period; the download is a plain link, so the fields are
 * checked here and a wrong one leaves it without an address. */
function PaperForms({ code, defaultPeriod }: { code: string; defaultPeriod: string }) {
  const { t } = useWeb();
  const l = t.links;
  // Until the person types one, the period follows the active one as it loads.
  const [period, setPeriod] = useState<string | null>(null);
  const [from, setFrom] = useState("1");
  const [count, setCount] = useState("50");
  const [prefix, setPrefix] = useState("K");
  const check = checkPaper({ period: period ?? defaultPeriod, from, count, prefix });
  const problem = check.ok
    ? null
    : check.problem === "count"
      ? l.paperProblem.count(MAX_SHEETS)
      : l.paperProblem[check.problem];
  const range = check.ok ? serialRange(check.sheets) : null;

  return (
    <>
      <h2>{l.paperTitle}</h2>
      <p>{l.paperIntro}</p>
      <div className="web-filters">
        <label>
          {l.period}
          <input
            data-testid="paper-period"
            list="links-periods"
            size={12}
            value={period ?? defaultPeriod}
            onChange={(e) => setPeriod(e.target.value)}
          />
        </label>
        <label>
          {l.paperFrom}
          <input data-testid="paper-from" inputMode="numeric" size={7} value={from} onChange={(e) => setFrom(digitsOnly(e.target.value))} />
        </label>
        <label>
          {l.paperCount}
          <input data-testid="paper-count" inputMode="numeric" size={5} value={count} onChange={(e) => setCount(digitsOnly(e.target.value))} />
        </label>
        <label>
          {l.paperPrefix}
          <input data-testid="paper-prefix" size={5} value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        </label>
        <a
          href={check.ok ? paperFormsHref(code, check.sheets, window.location.origin) : undefined}
          aria-disabled={!check.ok}
          data-testid="paper-download"
          download
        >
          {l.paperDownload}
        </a>
      </div>
      {range && (
        <p className="muted" data-testid="paper-range">
          {l.paperRange(range[0], range[1])}
        </p>
      )}
      {problem && (
        <p className="error" role="alert" data-testid="paper-message">
          {problem}
        </p>
      )}
    </>
  );
}

/** How the unit's invitations fared, by channel, and where each invited person stands.
 * Read-only here: invitations are imported and sent on the server's command line. */
function Invitations({ code }: { code: string }) {
  const { t } = useWeb();
  const i = t.links.invitations;
  const { data, error, reload } = useLoad(() => api.invitations(code), `invitations|${code}`);
  const { shown, more } = newestInvitations(data?.invitations ?? []);

  return (
    <>
      <h2>{i.title}</h2>
      <p>{i.intro}</p>
      {error && <LoadError message={error} retry={reload} />}
      {!data && !error && <p>{t.loading}</p>}
      {data && data.invitations.length === 0 && (
        <p className="muted" data-testid="invitations-none">
          {i.noneBefore}
          <code>{inviteCommand(code)}</code>
          {i.noneAfter}
        </p>
      )}
      {data && data.invitations.length > 0 && (
        <>
          <div className="web-scroll">
            <table className="web-table" data-testid="invitations-rates">
              <thead>
                <tr>
                  <th>{i.channel}</th>
                  <th className="num">{i.invited}</th>
                  <th className="num">{i.sent}</th>
                  <th className="num">{i.opened}</th>
                  <th className="num">{i.answered}</th>
                  <th className="num">{i.optedOut}</th>
                  <th className="num">{i.rate}</th>
                </tr>
              </thead>
              <tbody>
                {INVITATION_CHANNELS.map((channel) => (
                  <tr key={channel} data-testid="invitation-rate" data-channel={channel}>
                    <td>{i.channels[channel]}</td>
                    <TallyCells tally={data.by_channel[channel]} />
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-testid="invitation-rate-total">
                  <td>{i.total}</td>
                  <TallyCells tally={totalTally(data.by_channel)} />
                </tr>
              </tfoot>
            </table>
          </div>
          <div className="web-scroll">
            <table className="web-table" data-testid="invitations-table">
              <thead>
                <tr>
                  <th>{i.name}</th>
                  <th>{i.contact}</th>
                  <th>{t.links.service}</th>
                  <th>{t.links.state}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((invitation) => (
                  <InvitationRow key={invitation.token} invitation={invitation} />
                ))}
              </tbody>
            </table>
          </div>
          {more > 0 && (
            <p className="muted" data-testid="invitations-more">
              {i.newest(shown.length, more)}
            </p>
          )}
        </>
      )}
    </>
  );
}

/** A channel's counts and its response rate. */
function TallyCells({ tally }: { tally: InvitationTally }) {
  const { lang } = useWeb();
  return (
    <>
      <td className="num">{tally.invited}</td>
      <td className="num">{tally.sent}</td>
      <td className="num">{tally.opened}</td>
      <td className="num">{tally.answered}</td>
      <td className="num">{tally.opted_out}</td>
      <td className="num" data-testid="invitation-rate-value">
        {formatRate(responseRate(tally), lang)}
      </td>
    </>
  );
}

/** One invited person: who, how they were reached, for which service, and how far they got. */
function InvitationRow({ invitation }: { invitation: Invitation }) {
  const { t, lang } = useWeb();
  const i = t.links.invitations;
  const when = (iso: string) => formatDateTime(iso, lang) ?? iso;
  const { state, at } = invitationState(invitation);
  return (
    <tr data-testid="invitation-row" data-token={invitation.token}>
      <td>{invitation.name}</td>
      <td>{invitationContact(invitation) ?? t.none}</td>
      <td>
        {invitation.service ?? t.none}
        {invitation.service_date && <div className="muted">{invitation.service_date}</div>}
      </td>
      <td data-testid="invitation-state" data-state={state}>
        {i.states[state]}
        {at && <div className="muted">{when(at)}</div>}
      </td>
    </tr>
  );
}
