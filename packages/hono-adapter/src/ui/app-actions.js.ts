// Part of the inbox page's ES module: the write-back buttons of the detail panel (Accept, Decline
// with a reason picker, Close as won or lost). Which buttons are enabled comes from the server
// (`allowedActions` of GET /referrals/:id), so the page holds no copy of the transition rules.

/** Plain-JS source; app.js.ts concatenates the parts into one module. */
export const APP_ACTIONS_JS = String.raw`
// Common reasons for the picker. Partner Center's API documents no list of decline reasons: the
// text is sent as the referral's free-text statusReason.
const DECLINE_REASONS = [
  "Not a fit for our offering",
  "Outside our region or industry",
  "No capacity to take it on",
  "Duplicate of a deal we already have",
  "Customer could not be reached",
];
const OTHER_REASON = "other";
let actionPending = false;

function actionHint(r, allowed) {
  if (allowed.has("accept") || allowed.has("decline")) return "Partner Center is waiting for your answer: accept or decline it.";
  if (allowed.has("close")) return "Accepted: close it as won or lost when the deal ends.";
  return "This referral is " + statusText(r) + ": Partner Center takes no further status change.";
}

function actionsSection(r) {
  const allowed = new Set(Array.isArray(r.allowedActions) ? r.allowedActions : []);
  const hint = h("p", { id: "actions-hint", class: "muted", text: actionHint(r, allowed) });
  const decline = declineForm(r);
  const close = closeForm(r);
  const opener = (label, form, action) => {
    const button = h("button", { type: "button", class: "btn", disabled: !allowed.has(action), "aria-describedby": "actions-hint",
      "aria-expanded": "false", "aria-controls": form.id, onclick: () => toggleForm(button, form, [decline, close]) }, label);
    return button;
  };
  const accept = h("button", { type: "button", class: "btn btn--primary", disabled: !allowed.has("accept"), "aria-describedby": "actions-hint",
    onclick: () => sendAction(r.referralId, "accept", null, "Accepted") }, "Accept");
  return h("section", { class: "detail__section", id: "actions", "aria-labelledby": "actions-title" },
    h("h3", { id: "actions-title", tabindex: "-1", text: "Respond in Partner Center" }),
    hint,
    h("div", { class: "actions", role: "group", "aria-labelledby": "actions-title" },
      accept, opener("Decline…", decline, "decline"), opener("Close as won or lost…", close, "close")),
    decline, close);
}

function toggleForm(button, form, forms) {
  const open = form.hidden;
  for (const other of forms) other.hidden = true;
  for (const b of document.querySelectorAll("#actions [aria-controls]")) b.setAttribute("aria-expanded", "false");
  form.hidden = !open;
  button.setAttribute("aria-expanded", open ? "true" : "false");
  if (open) form.querySelector("select, input, textarea").focus();
}

function formButtons(form, submitLabel, submitClass) {
  const cancel = h("button", { type: "button", class: "btn", onclick: () => {
    form.hidden = true;
    const opener = document.querySelector('#actions [aria-controls="' + form.id + '"]');
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
  } }, "Cancel");
  return h("div", { class: "action-form__buttons" }, h("button", { type: "submit", class: "btn " + submitClass }, submitLabel), cancel);
}

function declineForm(r) {
  const select = h("select", { id: "decline-reason", name: "reason", required: true },
    h("option", { value: "", text: "Choose a reason" }),
    ...DECLINE_REASONS.map((reason) => h("option", { value: reason, text: reason })),
    h("option", { value: OTHER_REASON, text: "Other (describe it below)" }));
  const note = h("textarea", { id: "decline-note", name: "note", rows: "2", maxlength: "900" });
  const form = h("form", { id: "decline-form", class: "action-form", hidden: true, onsubmit: (e) => {
    e.preventDefault();
    const details = note.value.trim();
    if (select.value === "") return select.focus();
    if (select.value === OTHER_REASON && details === "") {
      toast("Describe the reason for declining.", "error");
      return note.focus();
    }
    const reason = select.value === OTHER_REASON ? details : details ? select.value + ": " + details : select.value;
    sendAction(r.referralId, "decline", { reason }, "Declined");
  } },
    h("div", { class: "field" }, h("label", { for: "decline-reason", text: "Reason" }), select),
    h("div", { class: "field" }, h("label", { for: "decline-note", text: "Details (optional, required for Other)" }), note));
  form.append(formButtons(form, "Send decline", "btn--danger"));
  return form;
}

function closeForm(r) {
  const radio = (value, label, checked) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "outcome", value, checked }), " " + label);
  const reason = h("input", { id: "close-reason", name: "reason", type: "text", autocomplete: "off", maxlength: "900" });
  const form = h("form", { id: "close-form", class: "action-form", hidden: true, onsubmit: (e) => {
    e.preventDefault();
    const outcome = form.querySelector("input[name=outcome]:checked").value;
    const text = reason.value.trim();
    sendAction(r.referralId, "close", text ? { outcome, reason: text } : { outcome }, outcome === "won" ? "Closed as won" : "Closed as lost");
  } },
    h("fieldset", { class: "choices" }, h("legend", { text: "Outcome" }), radio("won", "Won", true), radio("lost", "Lost", false)),
    h("div", { class: "field" }, h("label", { for: "close-reason", text: "Reason (optional)" }), reason));
  form.append(formButtons(form, "Close referral", "btn--primary"));
  return form;
}

const ACTION_PATHS = { accept: ["POST", "/accept"], decline: ["POST", "/decline"], close: ["POST", "/close"] };

async function sendAction(referralId, action, body, doneText) {
  if (actionPending) return;
  actionPending = true;
  const section = $("actions");
  if (section) section.setAttribute("aria-busy", "true");
  for (const b of document.querySelectorAll("#actions button")) b.disabled = true;
  const [method, suffix] = ACTION_PATHS[action];
  try {
    const init = body === null ? { method } : { method, body: JSON.stringify(body) };
    const result = await api("/referrals/" + encodeURIComponent(referralId) + suffix, init);
    toast(doneText + ": now " + statusText(result) + ".", "ok");
    if (result.row) replaceRow(result.row);
  } catch (error) {
    const prefix = error.code === "referral_conflict" ? "Changed in Partner Center meanwhile: "
      : error.code === "invalid_transition" ? "Not allowed: " : "Could not send it: ";
    toast(prefix + error.message, "error");
    // A conflict stored Partner Center's current copy: show it.
    if (error.code === "referral_conflict") loadInbox();
  } finally {
    actionPending = false;
  }
  // Re-render the panel from the store (the buttons follow the new status); keep focus in it.
  if (state.open === referralId) await openDetail(referralId, true);
}
`;
