// The provider portal's page: sign-in with Amazon Cognito (password, then the six-digit code
// from an authenticator app), then carepay's API with the access token. Every text from the API
// is put in the page as text (never as HTML), and nothing is stored beyond this browser tab.
"use strict";

const state = { config: null, tokens: null, email: "" };
const main = () => document.getElementById("main");

// -- building the page -----------------------------------------------------------------------
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// What replaceChildren takes: nodes and text only (parts may be lists, or left out as null).
const nodes = (...parts) => parts.flat(3).filter((part) => part !== null && part !== undefined && part !== false);

function show(title, ...content) {
  document.title = `${title} – Provider portal`;
  main().replaceChildren(...nodes(h("h1", {}, title), content));
  main().focus();
}

function announce(text) {
  document.getElementById("status").textContent = text;
}

function errorSummary(message) {
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", {}, "There is a problem"), h("p", {}, message));
}

function field(label, attributes, hint) {
  const id = attributes.id;
  return [h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("input", { ...attributes, "aria-describedby": hint ? `${id}-hint` : null })];
}

function formOf(submitLabel, fields, onsubmit, ...after) {
  const form = h("form", { novalidate: true }, ...fields,
    h("div", { class: "actions" }, h("button", { type: "submit" }, submitLabel), ...after));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector(".error-summary")?.remove();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onsubmit(new FormData(form));
    } catch (failure) {
      const summary = errorSummary(failure.message);
      form.prepend(summary);
      summary.focus();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// -- Amazon Cognito (its own API, straight from the browser) -----------------------------------
async function cognito(action, body) {
  const response = await fetch(state.config.cognito_endpoint.replace(/\/$/, "") + "/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(cognitoMessage(answer));
  return answer;
}

function cognitoMessage(answer) {
  const kind = String(answer.__type || "").split("#").pop();
  const messages = {
    NotAuthorizedException: "The email address or password is not right, or the account is locked. Check them, or ask the council to unlock your account.",
    CodeMismatchException: "That code is not right: enter the six digits your authenticator app shows now.",
    ExpiredCodeException: "That code has expired: ask for a new one.",
    InvalidPasswordException: "Choose a password of at least 12 characters with upper and lower case letters, a number and a symbol.",
    LimitExceededException: "Too many attempts: wait a few minutes, then try again.",
    PasswordResetRequiredException: "You need to reset your password: choose Forgotten your password.",
  };
  return messages[kind] || answer.message || "Sign-in did not work: try again.";
}

async function signedIn(result) {
  state.tokens = result.AuthenticationResult;
  sessionStorage.setItem("carepay.tokens", JSON.stringify(state.tokens));
  document.getElementById("menu").hidden = false;
  location.hash = "#/";
  await route();
}

async function answerChallenge(challenge) {
  if (challenge.AuthenticationResult) return signedIn(challenge);
  const respond = (name, responses) => cognito("RespondToAuthChallenge", {
    ClientId: state.config.client_id, ChallengeName: name, Session: challenge.Session,
    ChallengeResponses: { USERNAME: state.email, ...responses },
  }).then(answerChallenge);
  if (challenge.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    return show("Choose your password",
      h("p", {}, "Your temporary password worked. Choose the password you will use from now on."),
      formOf("Save password", field("New password", { id: "new-password", name: "password", type: "password", autocomplete: "new-password" },
        "At least 12 characters, with upper and lower case letters, a number and a symbol."),
      (form) => respond("NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: form.get("password") })));
  }
  if (challenge.ChallengeName === "MFA_SETUP") return setUpAuthenticator(challenge);
  if (challenge.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    return show("Enter your security code",
      formOf("Continue", field("Security code", { id: "code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code" },
        "The six-digit code your authenticator app shows for the provider portal."),
      (form) => respond("SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: String(form.get("code")).trim() })));
  }
  throw new Error("Sign-in asked for a step this page does not know: contact the council.");
}

async function setUpAuthenticator(challenge) {
  const association = await cognito("AssociateSoftwareToken", { Session: challenge.Session });
  const issuer = encodeURIComponent(state.config.council_name || "Provider portal");
  const uri = `otpauth://totp/${issuer}:${encodeURIComponent(state.email)}?secret=${association.SecretCode}&issuer=${issuer}`;
  show("Set up your security code",
    h("p", {}, "Every time you sign in you will enter a six-digit code from an authenticator app on your phone (for example Microsoft Authenticator or Google Authenticator)."),
    h("ol", {}, h("li", {}, "In the app, add an account and choose to enter a key."),
      h("li", {}, "Enter this key:"), h("li", {}, "Type the six-digit code the app shows below.")),
    h("p", { class: "secret", id: "secret" }, association.SecretCode),
    h("p", { class: "hint" }, "Or open this link on the phone: ", h("a", { href: uri }, "add to authenticator app")),
    formOf("Continue", field("Security code", { id: "code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code" }),
      async (form) => {
        const verified = await cognito("VerifySoftwareToken", {
          Session: association.Session || challenge.Session, UserCode: String(form.get("code")).trim(), FriendlyDeviceName: "authenticator",
        });
        const result = await cognito("RespondToAuthChallenge", {
          ClientId: state.config.client_id, ChallengeName: "MFA_SETUP", Session: verified.Session || association.Session || challenge.Session,
          ChallengeResponses: { USERNAME: state.email },
        });
        await answerChallenge(result);
      }));
}

function signInPage() {
  document.getElementById("menu").hidden = true;
  show("Sign in",
    h("p", {}, "Sign in with the email address the council gave access to."),
    formOf("Sign in", [
      ...field("Email address", { id: "email", name: "email", type: "email", autocomplete: "username", spellcheck: "false" }),
      ...field("Password", { id: "password", name: "password", type: "password", autocomplete: "current-password" }),
    ], async (form) => {
      state.email = String(form.get("email")).trim();
      const challenge = await cognito("InitiateAuth", {
        ClientId: state.config.client_id, AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: state.email, PASSWORD: form.get("password") },
      });
      await answerChallenge(challenge);
    }, h("a", { href: "#/forgotten-password" }, "Forgotten your password?")));
}

function forgottenPasswordPage() {
  show("Reset your password",
    formOf("Send me a code", field("Email address", { id: "email", name: "email", type: "email", autocomplete: "username" }),
      async (form) => {
        state.email = String(form.get("email")).trim();
        await cognito("ForgotPassword", { ClientId: state.config.client_id, Username: state.email });
        show("Choose a new password",
          h("p", {}, "If the address has an account, a code is on its way to it."),
          formOf("Save password", [
            ...field("Code from the email", { id: "code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code" }),
            ...field("New password", { id: "new-password", name: "password", type: "password", autocomplete: "new-password" }),
          ], async (next) => {
            await cognito("ConfirmForgotPassword", {
              ClientId: state.config.client_id, Username: state.email,
              ConfirmationCode: String(next.get("code")).trim(), Password: next.get("password"),
            });
            location.hash = "#/sign-in";
          }));
      }));
}

// -- carepay's API -----------------------------------------------------------------------------
async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${state.tokens.AccessToken}`, "Content-Type": "application/json" },
  });
  if (response.status === 401) {
    sessionStorage.removeItem("carepay.tokens");
    state.tokens = null;
    signInPage();
    throw new Error("Your session has ended: sign in again.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || "Something went wrong: try again.");
  return answer;
}

const ukDate = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const weekPath = (ref, monday) => `#/providers/${encodeURIComponent(ref)}/weeks/${monday}`;
const apiBase = (ref) => `/api/providers/${encodeURIComponent(ref)}`;

function progressBar(progress) {
  const parts = [
    ["confirmed", progress.confirmed, "confirmed"],
    ["in-progress", progress.in_progress, "in progress"],
    ["late", progress.late, "late"],
    ["to-come", progress.not_yet_due, "still to come"],
  ];
  const total = parts.reduce((sum, [, count]) => sum + count, 0) || 1;
  const described = parts.map(([, count, words]) => `${count} ${words}`).join(", ");
  return [
    h("div", { class: "bar", role: "img", "aria-label": `Weeks in ${progress.year}: ${described}` },
      parts.map(([kind, count]) => h("span", { class: kind, style: null, "data-width": String((100 * count) / total) }))),
    h("ul", { class: "key" }, parts.map(([, count, words]) => h("li", {}, `${count} ${words}`))),
  ];
}

function sizeBars() {
  // Widths set from script, not inline styles: the page's security policy forbids inline styles.
  for (const span of document.querySelectorAll(".bar span")) span.style.width = `${span.dataset.width}%`;
}

async function homePage() {
  const home = await api("/api/home");
  document.getElementById("council").textContent = `${home.council_name} provider portal`;
  show("My care suppliers",
    home.message ? h("div", { class: `banner ${home.message_level}`, role: "region", "aria-label": "Message from the council" }, home.message) : null,
    h("p", {}, `Signed in as ${home.email}.`),
    h("ul", { class: "suppliers" }, home.suppliers.map((supplier) => h("li", { class: "supplier" },
      h("h2", {}, `${supplier.provider_name || supplier.provider_ref} (${supplier.provider_ref})`),
      progressBar(supplier.progress),
      h("div", { class: "actions" },
        supplier.week_to_act_on ? h("a", { class: "button", href: weekPath(supplier.provider_ref, supplier.week_to_act_on) },
          `Open week commencing ${ukDate(supplier.week_to_act_on)}`) : null,
        h("a", { class: "button secondary", href: `#/providers/${encodeURIComponent(supplier.provider_ref)}/weeks` }, "All weeks and files"))))),
    h("h2", {}, "Report an error · Payment query"),
    h("ul", {}, home.suppliers.map((supplier) => h("li", {}, h("a", { href: queriesPath(supplier.provider_ref) }, `Queries for ${supplier.provider_name || supplier.provider_ref}`)))));
  sizeBars();
}

function linesTable(week) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", {}, `Service lines for the week commencing ${ukDate(week.week_commencing)}`),
    h("thead", {}, h("tr", {}, ["Person (SS ref)", "Line", "Service", "Planned", "Reported", "Status"].map((title) => h("th", { scope: "col", class: ["Planned", "Reported"].includes(title) ? "number" : null }, title)))),
    h("tbody", {}, week.lines.map((line) => h("tr", {},
      h("th", { scope: "row" }, line.ss_ref),
      h("td", {}, line.line_ref),
      h("td", {}, `${line.service_type}, ${line.service_level} (${line.unit})`),
      h("td", { class: "number" }, line.planned),
      h("td", { class: "number" }, line.reported ? line.actual : "–"),
      h("td", {}, h("span", { class: `tag ${line.status.split(":")[0].replace(/ /g, "-")}` }, line.status),
        line.findings.length ? h("ul", { class: "findings" }, line.findings.map((finding) => h("li", {}, finding.code ? `${finding.code}: ${finding.message}` : finding.message))) : null,
        line.reported_in ? h("p", { class: "hint" }, `From ${line.reported_in}`) : null))))));
}

function previewSection(preview) {
  if (!preview) return null;
  return [h("h2", {}, "Payment preview"), h("p", {}, preview.message),
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", {}, `What confirming now would pay: ${preview.total}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Line"), h("th", { scope: "col", class: "number" }, "Payable"),
        h("th", { scope: "col", class: "number" }, "Amount"), h("th", { scope: "col" }, "Note"))),
      h("tbody", {}, preview.lines.map((line) => h("tr", {}, h("th", { scope: "row" }, line.line_ref),
        h("td", { class: "number" }, line.payable), h("td", { class: "number" }, line.amount), h("td", {}, line.note)))))) ];
}

async function download(ref, path) {
  const link = await api(path);
  const anchor = h("a", { href: link.url, download: link.file_name });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  announce(`Downloading ${link.file_name}`);
}

function uploadSection(week) {
  const result = h("div", { id: "upload-result", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "claim-file", name: "file", accept: ".xlsx,.xlsm,.xls,.ods,.csv" });
  const zone = h("div", { class: "dropzone" },
    h("label", { for: "claim-file" }, "Choose your filled claim workbook or CSV, or drop it here"), input);
  const send = async (file) => {
    result.replaceChildren(h("p", {}, `Sending ${file.name}…`));
    try {
      await uploadFile(week, file, result);
    } catch (failure) {
      result.replaceChildren(errorSummary(failure.message));
    }
  };
  input.addEventListener("change", () => input.files[0] && send(input.files[0]));
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files[0]) send(event.dataTransfer.files[0]);
  });
  return [h("h2", {}, "Upload your claim"), zone, result];
}

async function uploadFile(week, file, result) {
  const form = await api(`${apiBase(week.provider_ref)}/uploads`, { method: "POST", body: JSON.stringify({ file_name: file.name }) });
  if (file.size > form.most_bytes) throw new Error(`${file.name} is larger than ${Math.round(form.most_bytes / 1048576)} MB: remove unused sheets or save it as CSV.`);
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", file);
  const sent = await fetch(form.url, { method: "POST", body });
  if (!sent.ok) throw new Error(`${file.name} could not be sent (${sent.status}): try again.`);
  result.replaceChildren(h("p", {}, `${file.name} received: checking it…`));
  const feedback = await waitForResult(form.result);
  showResult(week, feedback, result);
}

async function waitForResult(path) {
  for (let attempt = 0; attempt < 90; attempt += 1) {
    const answer = await api(path);
    if (answer.ready) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error("Checking is taking longer than usual: the result will be on this page when it is ready.");
}

function rowsTable(caption, rows) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Row", "Week", "Line", "Result", "Why"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, rows.map((row) => h("tr", {},
      h("th", { scope: "row" }, row.row), h("td", {}, row.week_commencing ? ukDate(row.week_commencing) : ""), h("td", {}, row.line_ref || ""),
      h("td", {}, h("span", { class: `tag ${row.status === "accepted" ? "Accepted" : "Rejected"}` }, row.status === "accepted" ? "Accepted" : "Rejected")),
      h("td", {}, [...row.errors, ...row.warnings, ...row.exceptions].map((finding) => h("p", {}, `${finding.code}: ${finding.message}`))))))));
}

function showResult(week, answer, into) {
  const feedback = answer.feedback;
  // What needs the provider first: the rejected rows; the accepted ones folded away below.
  const rejected = feedback.rows.filter((row) => row.status !== "accepted");
  const accepted = feedback.rows.filter((row) => row.status === "accepted");
  into.replaceChildren(...nodes(
    h("h3", {}, feedback.file_rejected ? "The file was not accepted" : feedback.kind === "confirmation" ? "Confirmation" : `${feedback.accepted} rows accepted, ${feedback.rejected} rejected`),
    feedback.file_findings.map((finding) => h("p", {}, finding.message)),
    feedback.confirmations.map((confirmation) => h("p", {}, `Week commencing ${ukDate(confirmation.week_commencing)}: ${confirmation.status}. ${confirmation.message}`)),
    feedback.next_step ? h("p", {}, h("strong", {}, feedback.next_step)) : null,
    rejected.length ? rowsTable("Rejected rows: correct these and upload again", rejected) : null,
    accepted.length ? h("details", {}, h("summary", {}, `The ${accepted.length} accepted rows`), rowsTable("Accepted rows", accepted)) : null,
    answer.feedback_workbook ? h("button", { type: "button", class: "secondary", onclick: () => download(week.provider_ref, `${apiBase(week.provider_ref)}/download?key=${encodeURIComponent(answer.feedback_workbook)}`) }, "Download the feedback workbook") : null,
    h("p", {}, h("a", { href: weekPath(week.provider_ref, week.week_commencing), onclick: () => setTimeout(route, 0) }, "Refresh the week"))));
  into.querySelector("h3").setAttribute("tabindex", "-1");
  into.querySelector("h3").focus();
}

function confirmSection(week) {
  if (week.status === "Confirmed") return h("p", { class: "locked" }, "This week is confirmed and locked.");
  if (!week.can_confirm) return null;
  const result = h("div", { "aria-live": "polite" });
  const box = h("input", { type: "checkbox", id: "declaration", name: "declaration" });
  const button = h("button", { type: "submit", disabled: true }, "Save, confirm and lock");
  box.addEventListener("change", () => { button.disabled = !box.checked; });
  const form = h("form", {},
    h("h2", {}, "Confirm the week"),
    week.confirm_note ? h("p", { class: "banner warning" }, week.confirm_note) : null,
    h("div", {}, box, h("label", { for: "declaration", class: "inline" }, " When you are done: I confirm that the delivered hours and amendments for this week are correct. Payment will be based on what we have submitted.")),
    h("div", { class: "actions" }, button), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const sent = await api(`${apiBase(week.provider_ref)}/weeks/${week.week_commencing}/confirmation`, { method: "POST", body: JSON.stringify({ declaration: box.checked }) });
      result.replaceChildren(h("p", {}, "Confirming…"));
      showResult(week, await waitForResult(sent.result), result);
    } catch (failure) {
      result.replaceChildren(errorSummary(failure.message));
      button.disabled = false;
    }
  });
  return form;
}

async function weekPage(ref, monday) {
  const week = await api(`${apiBase(ref)}/weeks/${monday}`);
  show(`Week commencing ${ukDate(week.week_commencing)}`,
    h("p", {}, `${week.provider_name} (${week.provider_ref}) · Status: `, h("span", { class: `tag ${week.status.replace(/ /g, "-")}` }, week.status)),
    h("p", {}, h("strong", {}, "What to do next: "), week.next_step),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => download(ref, `${apiBase(ref)}/weeks/${monday}/claim?format=xlsx`) }, week.has_register ? "Download the workbook" : "Download the claim workbook"),
      week.has_claim ? h("button", { type: "button", class: "secondary", onclick: () => download(ref, `${apiBase(ref)}/weeks/${monday}/claim?format=csv`) }, "Download as CSV") : null,
      week.has_register ? h("button", { type: "button", class: "secondary", onclick: () => download(ref, `${apiBase(ref)}/weeks/${monday}/claim?format=register`) }, "Download the register as CSV") : null),
    linesTable(week),
    ["Confirmed", "Nothing planned", "Non-payment week", "Claimed before carepay"].includes(week.status) ? null : uploadSection(week),
    confirmSection(week),
    previewSection(week.preview),
    h("ul", {},
      h("li", {}, h("a", { href: queriesPath(ref, `w/c ${week.week_commencing}`) }, "Report an error or make a payment query about this week")),
      h("li", {}, h("a", { href: `#/providers/${encodeURIComponent(ref)}/weeks` }, "All weeks and files"))));
}

async function weeksPage(ref) {
  const now = new Date();
  const thisYear = now.getMonth() >= 3 ? now.getFullYear() : now.getFullYear() - 1;
  const [current, previous, files] = await Promise.all([
    api(`${apiBase(ref)}/years/${thisYear}`), api(`${apiBase(ref)}/years/${thisYear - 1}`), api(`${apiBase(ref)}/files`)]);
  const weekTable = (year) => h("div", { class: "table-wrap" }, h("table", {},
    h("caption", {}, `Financial year ${year.year}`),
    h("thead", {}, h("tr", {}, ["Week commencing", "Status", "Lines"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, year.weeks.slice().reverse().map((row) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: weekPath(ref, row.week_commencing) }, ukDate(row.week_commencing))),
      h("td", {}, h("span", { class: `tag ${row.status.replace(/ /g, "-")}` }, row.status)),
      h("td", { class: "number" }, row.planned_lines))))));
  show(`Weeks and files (${ref})`,
    h("h2", {}, "Files"),
    files.files.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("caption", {}, "Claims, feedback and remittances, newest first"),
      h("thead", {}, h("tr", {}, ["File", "Kind", "Date"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, files.files.map((file) => h("tr", {},
        h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => download(ref, `${apiBase(ref)}/download?key=${encodeURIComponent(file.key)}`) }, file.name)),
        h("td", {}, file.kind, file.kind === "remittance" ? [" · ", h("a", { href: queriesPath(ref, `remittance ${file.name.replace(/\.[a-z]+$/, "")}`) }, "Payment query")] : null),
        h("td", {}, new Date(file.last_modified).toLocaleString("en-GB"))))))) : h("p", {}, "No files yet."),
    h("h2", {}, "Weeks"), weekTable(current), weekTable(previous));
}

const queriesPath = (ref, about) => `#/providers/${encodeURIComponent(ref)}/queries${about ? `?about=${encodeURIComponent(about)}` : ""}`;

function queryForm(ref, about) {
  return formOf("Send", [
    h("fieldset", {}, h("legend", {}, "What kind of query is it?"),
      ["Report an error", "Payment query"].map((kind, index) => h("div", {},
        h("input", { type: "radio", id: `kind-${index}`, name: "kind", value: kind, checked: index === 0 }),
        h("label", { for: `kind-${index}`, class: "inline" }, kind)))),
    ...field("What is it about?", { id: "about", name: "about", type: "text", value: about || "" },
      "A week (w/c 09/11/2026), a line (L1007) or a remittance."),
    h("label", { for: "text" }, "Your query"),
    h("textarea", { id: "text", name: "text", maxlength: "2000" }),
  ], async (form) => {
    await api(`${apiBase(ref)}/queries`, { method: "POST", body: JSON.stringify({ kind: form.get("kind"), about: form.get("about"), text: form.get("text") }) });
    announce("Query sent");
    location.hash = queriesPath(ref);
    await route();
  });
}

function queryItem(ref, query) {
  const closed = query.status === "resolved";
  return h("li", { class: "supplier" },
    h("h3", {}, `${query.kind}: ${query.about}`),
    h("p", {}, `Query ${query.query_id} · Status: `, h("span", { class: `tag ${closed ? "Confirmed" : query.status === "answered" ? "Reported" : "In-progress"}` }, query.status)),
    h("ol", { class: "messages" }, query.messages.map((message) => h("li", {},
      h("p", { class: "hint" }, `${message.author}, ${new Date(message.at).toLocaleString("en-GB")}`), h("p", {}, message.text)))),
    closed ? null : formOf("Reply", [h("label", { for: `reply-${query.query_id}` }, "Add to this query"),
      h("textarea", { id: `reply-${query.query_id}`, name: "text", maxlength: "2000" })], async (form) => {
      await api(`${apiBase(ref)}/queries/${encodeURIComponent(query.query_id)}/replies`, { method: "POST", body: JSON.stringify({ text: form.get("text") }) });
      await route();
    }));
}

async function queriesPage(ref, about) {
  const listed = await api(`${apiBase(ref)}/queries`);
  show(`Queries (${ref})`,
    h("p", {}, "Report an error in a care package, a claim or a confirmed week, or ask about a payment. The council answers here."),
    h("h2", {}, "Raise a query"), queryForm(ref, about),
    h("h2", {}, "Your queries"),
    listed.queries.length ? h("ul", { class: "suppliers" }, listed.queries.map((query) => queryItem(ref, query))) : h("p", {}, "No queries yet."));
}

async function emailSettingsPage() {
  const settings = await api("/api/me/emails");
  const box = h("input", { type: "checkbox", id: "optional-emails", name: "optional", checked: settings.optional_emails });
  show("Email settings",
    h("p", {}, `Emails go to ${settings.email}. ${settings.always}`),
    formOf("Save", [h("div", {}, box, h("label", { for: "optional-emails", class: "inline" },
      "Also email me when a claim is ready, when rows of a file sent another way are rejected, when a remittance is ready and when a query is answered"))],
    async () => {
      await api("/api/me/emails", { method: "PUT", body: JSON.stringify({ optional_emails: box.checked }) });
      announce("Email settings saved");
      main().append(h("p", { class: "banner", role: "status" }, "Saved."));
    }));
}

// -- routes ------------------------------------------------------------------------------------
async function route() {
  const path = location.hash.replace(/^#/, "") || "/";
  try {
    if (path === "/forgotten-password") return forgottenPasswordPage();
    if (!state.tokens) return signInPage();
    document.getElementById("menu").hidden = false;
    if (path === "/email-settings") return await emailSettingsPage();
    let match = path.match(/^\/providers\/([^/]+)\/weeks\/(\d{4}-\d{2}-\d{2})$/);
    if (match) return await weekPage(decodeURIComponent(match[1]), match[2]);
    match = path.match(/^\/providers\/([^/]+)\/queries(?:\?about=(.*))?$/);
    if (match) return await queriesPage(decodeURIComponent(match[1]), match[2] ? decodeURIComponent(match[2]) : "");
    match = path.match(/^\/providers\/([^/]+)\/weeks$/);
    if (match) return await weeksPage(decodeURIComponent(match[1]));
    return await homePage();
  } catch (failure) {
    if (state.tokens) show("Something went wrong", errorSummary(failure.message), h("p", {}, h("a", { href: "#/" }, "Back to the home page")));
  }
}

async function start() {
  state.config = await (await fetch("/api/config")).json();
  const saved = sessionStorage.getItem("carepay.tokens");
  state.tokens = saved ? JSON.parse(saved) : null;
  document.getElementById("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem("carepay.tokens");
    state.tokens = null;
    location.hash = "#/";
    signInPage();
  });
  window.addEventListener("hashchange", route);
  await route();
}

start();
