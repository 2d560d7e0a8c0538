// The inbox page's stylesheet (a file of its own: the CSP allows no inline style).
import { TYPE_BADGE_CSS } from "./type-badge.js";

const PAGE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f3f4f6; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
h3 { font-size: 0.95rem; margin: 1.25rem 0 0.5rem; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: #fff; padding: 0.5rem 0.75rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.muted { color: #4b5563; }
.error { color: #991b1b; }

/* Sticky, above the side sheet: the sync button and the status stay in reach. */
.app-header { display: flex; gap: 1rem; align-items: flex-start; justify-content: space-between; flex-wrap: wrap;
  padding: 1rem 1.5rem; background: #fff; border-bottom: 1px solid #d1d5db; position: sticky; top: 0; z-index: 16; }
.status-line { margin: 0.25rem 0 0; color: #374151; }
.app-header__actions { display: flex; flex-direction: column; align-items: flex-end; gap: 0.25rem; }
.sync-reason { margin: 0; font-size: 0.85rem; color: #4b5563; min-height: 1.2em; }
.banner { margin: 1rem 1.5rem 0; padding: 0.75rem 1rem; border: 1px solid #f59e0b; border-left-width: 6px;
  background: #fffbeb; color: #78350f; border-radius: 6px; }

.btn { font: inherit; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid #9ca3af; background: #fff;
  color: #111827; cursor: pointer; }
.btn:hover:not(:disabled) { background: #f3f4f6; }
.btn:disabled { cursor: not-allowed; color: #4b5563; background: #e5e7eb; border-color: #d1d5db; }
.btn--primary { background: #1d4ed8; border-color: #1d4ed8; color: #fff; font-weight: 600; }
.btn--primary:hover:not(:disabled) { background: #1e40af; }
.btn--danger { color: #991b1b; border-color: #f87171; }
.btn--small { padding: 0.15rem 0.6rem; font-size: 0.85rem; }

.layout { padding: 1rem 1.5rem 2rem; }
/* Room for the panel on wide screens; on narrow ones it covers the right of the table. */
@media (min-width: 1500px) { .layout--detail { padding-right: calc(28rem + 1.5rem); } }
.inbox { background: #fff; border: 1px solid #d1d5db; border-radius: 8px; padding: 1rem; min-width: 0; }
/* A side sheet over the table rather than a column beside it, so the table keeps its width. */
.detail { position: fixed; top: var(--pcr-header-height, 0px); right: 0; bottom: 0; width: min(28rem, 100vw); overflow-y: auto; z-index: 15;
  background: #fff; border-left: 1px solid #9ca3af; box-shadow: -8px 0 24px rgb(0 0 0 / 0.12); padding: 1rem 1.25rem 2rem; }

.filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; margin-bottom: 0.75rem; }
.field { display: flex; flex-direction: column; gap: 0.2rem; }
.field--grow { flex: 1 1 14rem; }
.field label { font-size: 0.8rem; font-weight: 600; color: #374151; }
select, input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #6b7280; border-radius: 6px; background: #fff; color: #111827; }

.table-wrap { overflow-x: auto; }
.inbox-table { width: 100%; border-collapse: collapse; }
.inbox-table th, .inbox-table td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #e5e7eb; vertical-align: middle; }
.inbox-table th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: #374151; background: #f9fafb; }
.inbox-table[aria-busy="true"] tbody { cursor: progress; }
.inbox-table tbody tr:hover { background: #f9fafb; }
.row--open { background: #eff6ff !important; box-shadow: inset 4px 0 0 #1d4ed8; }
.row--fresh { animation: fresh 2.5s ease-out; }
@keyframes fresh { from { background: #fef9c3; } to { background: transparent; } }
.row-open { font: inherit; font-weight: 600; color: #1e40af; background: none; border: 0; padding: 0; cursor: pointer; text-align: left;
  text-decoration: underline; text-underline-offset: 2px; word-break: break-word; }
.row-open--unnamed { font-style: italic; font-weight: 400; }
.cell-domain { overflow-wrap: anywhere; }
.cell-status { white-space: nowrap; }
.cell-time { white-space: nowrap; color: #374151; }
.cell-days { white-space: nowrap; }
.days { font-variant-numeric: tabular-nums; }
.days--soon { color: #92400e; font-weight: 600; }
.days--now { color: #b91c1c; font-weight: 700; }
.days--over { color: #4b5563; font-style: italic; }
.empty { text-align: center; padding: 2rem; color: #4b5563; }

.link { font-size: 0.85rem; white-space: nowrap; }
.link--auto_linked, .link--manual_linked { color: #166534; font-weight: 600; }
.link--multi_candidate { color: #92400e; font-weight: 600; }
.link--unlinked, .link--manual_unlinked { color: #4b5563; }

.pager { display: flex; gap: 0.75rem; align-items: center; justify-content: flex-end; margin-top: 0.75rem; }
.pager__info { color: #374151; }

.detail__head { display: flex; justify-content: space-between; align-items: flex-start; gap: 0.5rem; }
.detail__head h2 { word-break: break-word; }
.facts { display: grid; grid-template-columns: 9rem minmax(0, 1fr); gap: 0.3rem 0.75rem; margin: 0; font-size: 0.9rem; }
.facts dt { color: #4b5563; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.candidates { list-style: none; margin: 0; padding: 0; }
.candidate { display: flex; flex-wrap: wrap; gap: 0.25rem 0.6rem; align-items: center; padding: 0.4rem 0; border-bottom: 1px solid #e5e7eb; }
.candidate__name { font-weight: 600; }
.candidate__meta { color: #4b5563; font-size: 0.8rem; word-break: break-all; flex-basis: 100%; }
.pill { font-size: 0.8rem; padding: 0.05rem 0.5rem; border-radius: 999px; background: #dcfce7; color: #14532d; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-bottom: 0.5rem; }
.action-form { display: flex; flex-direction: column; gap: 0.6rem; margin: 0.5rem 0 0.75rem; padding: 0.75rem; border: 1px solid #d1d5db;
  border-radius: 6px; background: #f9fafb; }
.action-form textarea { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #6b7280; border-radius: 6px; resize: vertical; }
.action-form__buttons { display: flex; gap: 0.5rem; }
.choices { border: 0; margin: 0; padding: 0; display: flex; gap: 1rem; align-items: center; }
.choices legend { font-size: 0.8rem; font-weight: 600; color: #374151; padding: 0; margin-bottom: 0.2rem; }
.choice { display: inline-flex; gap: 0.3rem; align-items: center; }
.link-form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.75rem; }
.link-form input { flex: 1 1 10rem; }

/* Just below the sticky header (its status line stays readable), clear of the side sheet's buttons. */
.toasts { position: fixed; top: calc(var(--pcr-header-height, 0px) + 0.75rem); left: 50%; transform: translateX(-50%); width: min(28rem, calc(100vw - 2rem));
  display: flex; flex-direction: column; gap: 0.5rem; z-index: 20; pointer-events: none; }
.toast { pointer-events: auto; }
/* With the side sheet open, centre the toasts over what is left of the table. */
.layout--detail ~ .toasts { left: calc((100vw - min(28rem, 100vw)) / 2); }
.toast { display: flex; gap: 0.75rem; align-items: flex-start; padding: 0.6rem 0.8rem; border-radius: 6px; background: #1f2937; color: #fff;
  box-shadow: 0 4px 14px rgb(0 0 0 / 0.2); border-left: 6px solid #60a5fa; }
.toast--ok { border-left-color: #4ade80; }
.toast--error { border-left-color: #f87171; background: #450a0a; }
.toast__text { flex: 1; }
.toast__close { font: inherit; background: none; border: 0; color: #fff; cursor: pointer; padding: 0 0.25rem; }
`;

/** The stylesheet served at `<mount>/ui/styles.css` (also holds the type badge colours). */
export const INBOX_STYLES_CSS: string = TYPE_BADGE_CSS + PAGE_CSS;
