// WBC-NCA lab page: plain JavaScript, no external script, font or style.
"use strict";

const state = { model: null, me: null, inFlight: 0, queue: [], reviews: false, sample: "", current: null, userMoved: false, uploads: 0, fields: 0, opened: 0 };
const NOT_A_CELL = "not_a_cell";
// Keys that correct a cell to a class, in the model's class order (n, p, x and y are taken by the queue).
const CLASS_KEYS = "abcdefghijklmoqrstuvwz";
const REVIEWER_KEY = "wbc-nca-reviewer";
// The access token lives in this tab's sessionStorage and travels only in the Authorization header (never a cookie,
// so that another site's page cannot make the browser send it).
const TOKEN_KEY = "wbc-nca-token";
const MAX_PARALLEL = 4;
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const SVG = "http://www.w3.org/2000/svg";

function fmt(x, digits = 3) { return Number(x).toFixed(digits); }
function percent(x) { return x > 0 && x < 0.005 ? "< 1 %" : `${Math.round(100 * x)} %`; }
function words(name) { return String(name).replaceAll("_", " "); }

function el(tag, attrs = {}, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function setStatus(text, isError = false) {
  const s = $("#status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; }
}

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }

// fetch with the access token; a 401 (no token, or one the server no longer takes) asks for a token again.
async function api(url, options = {}) {
  const headers = new Headers(options.headers || {});
  const t = token();
  if (t) headers.set("Authorization", `Bearer ${t}`);
  const r = await fetch(url, { ...options, headers });
  if (r.status === 401) showSignIn(await errorText(r.clone()));
  return r;
}

function showSignIn(message) {
  $("#sign-in").hidden = false;
  $("#sign-in-error").textContent = token() ? message : "";
  document.body.dataset.signIn = "true";
}

async function signIn(e) {
  e.preventDefault();
  const value = $("#token").value.trim();
  if (!value) return;
  try { sessionStorage.setItem(TOKEN_KEY, value); } catch { /* storage off: the page cannot keep the token */ }
  $("#token").value = "";
  $("#sign-in").hidden = true;
  delete document.body.dataset.signIn;
  await loadModel();
}

function signOut() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage off */ }
  location.reload();
}

function showUser(me) {
  const line = $("#user-line");
  line.hidden = !me.user;
  if (me.user) $("#user-text").textContent = `Signed in as ${me.user} (${me.role}).`;
}

async function loadModel() {
  try {
    const r = await api("/api/model");
    if (r.status === 401) { $("#model-info").textContent = "Sign in with your access token to use this server."; return; }
    if (!r.ok) throw new Error(`GET /api/model: ${r.status}`);
    const m = await r.json();
    const who = await api("/api/me");
    if (!who.ok) throw new Error(`GET /api/me: ${who.status}`);
    const me = await who.json();
    state.model = m;
    state.me = me;
    showUser(me);
    $("#model-info").textContent = m.summary;
    $("#model-note").textContent = m.samples > 1
      ? `Each answer is the mean of ${m.samples} runs of the model${m.views ? ", each on another rotation or mirror image of the cell" : ""}; "±" shows how much the runs disagree.`
      : "";
    const size = m.config.image_size;
    const source = m.provenance && m.provenance.source ? ` · made by ${m.provenance.source}` : "";
    $("#model-tech").textContent =
      `Neural cellular automaton (${m.arch}): ${m.parameters.toLocaleString("en")} parameters, ${m.config.steps} steps on a ` +
      `${size}×${size} image, ${m.classes.length} classes${source}. Details: GET /api/model.`;
    $("#limits").textContent = `Up to ${m.limits.max_images_per_request} images per request, ${(m.limits.max_upload_bytes / 1048576).toFixed(0)} MiB in all.`;
    setUpReview(m.reviews === true && me.role === "reviewer");
    $("#viewer-note").hidden = !(m.reviews === true && me.role !== "reviewer");
    if (m.reviews === true && me.role !== "reviewer") $("#no-records").hidden = true;
    if (m.reviews === true) await loadSamples();
    document.body.dataset.ready = "true";
  } catch (e) {
    $("#model-info").textContent = "The model could not be loaded: " + e.message;
  }
}

// Horizontal bar chart of the class probabilities, with ± std whiskers, as inline SVG.
function chart(classes, probs, std, index) {
  const rowH = 18, labelW = 170, barW = 300, valueW = 90, pad = 4;
  const w = labelW + barW + valueW, h = classes.length * rowH + pad * 2;
  const svg = el("svg:svg", { viewBox: `0 0 ${w} ${h}`, class: "probabilities", role: "img", "aria-label": "class probabilities" });
  classes.forEach((name, i) => {
    const y = pad + i * rowH, p = probs[i], s = std ? std[i] : 0;
    const g = el("svg:g", { "data-class": name });
    g.append(el("svg:text", { x: labelW - 6, y: y + rowH * 0.7, "text-anchor": "end" }, words(name)));
    g.append(el("svg:rect", { class: i === index ? "bar top" : "bar", x: labelW, y: y + 3, width: Math.max(0.5, p * barW), height: rowH - 6 }));
    if (std) {
      const x0 = labelW + Math.max(0, p - s) * barW, x1 = labelW + Math.min(1, p + s) * barW, ym = y + rowH / 2;
      g.append(el("svg:line", { class: "whisker", x1: x0, x2: x1, y1: ym, y2: ym }));
    }
    g.append(el("svg:text", { x: labelW + barW + 6, y: y + rowH * 0.7 }, std ? `${fmt(p)} ± ${fmt(s)}` : fmt(p)));
    svg.append(g);
  });
  return svg;
}

function cardFor(file) {
  const card = $("#card").content.firstElementChild.cloneNode(true);
  card.dataset.file = file.name;
  card.dataset.state = "pending";
  return card;
}

function newCard(file) {
  const card = cardFor(file);
  const img = $(".cell img", card);
  // The browser's own view at once; the server's PNG preview replaces it (browsers cannot show TIFF).
  img.src = URL.createObjectURL(file);
  img.onerror = () => { if (img.src.startsWith("blob:")) { img.removeAttribute("src"); img.alt = "(preview follows)"; } };
  $(".cell .name", card).textContent = file.name;
  $(".predicted", card).textContent = "classifying…";
  $("#results").append(card);   // upload order
  return card;
}

function showPreview(card, preview) {
  if (!preview) return;
  const img = $(".cell img", card);
  const old = img.getAttribute("src");
  img.onerror = null;
  img.alt = "uploaded cell";
  img.src = preview;
  if (old && old.startsWith("blob:")) URL.revokeObjectURL(old);
}

function showError(card, message) {
  card.dataset.state = "error";
  card.classList.add("failed");
  card.dataset.error = message;
  $(".predicted", card).textContent = "Not classified";
  $(".confidence", card).textContent = message;
  $(".chart", card).remove();
  $(".explain", card).remove();
}

// A field (an image with several white cells): the card of cell i shows the image with every cell's nucleus boxed and
// numbered from 1 (boxes placed in percent of the image, so they follow the size it is shown at); its own cell's box
// is marked, and the review queue's current cell is highlighted in every card of the field.
function showField(card, p, i, group) {
  card.classList.add("field");
  card.dataset.cell = String(i);
  card.dataset.field = group;
  $(".cell .name", card).textContent = `${card.dataset.file} #${i + 1}`;
  const img = $(".cell img", card);
  const view = el("div", { class: "field-view" });
  img.replaceWith(view);
  view.append(img);
  img.alt = `${card.dataset.file}: the image with its ${p.cells.length} white cells`;
  addBoxes(view, p, i);
}

// The numbered boxes of a field's cells over its image, placed in percent of the image's size (p.width, p.height:
// without them, as for a reopened sample until its image has come, no box is placed yet).
function addBoxes(view, p, i) {
  p.cells.forEach((c, j) => {
    if (!c.box || !p.width || !p.height) return;
    const b = el("div", { class: j === i ? "box own" : "box", "data-cell": String(j), title: `cell #${j + 1}` });
    b.style.left = `${(100 * c.box.x) / p.width}%`;
    b.style.top = `${(100 * c.box.y) / p.height}%`;
    b.style.width = `${(100 * c.box.width) / p.width}%`;
    b.style.height = `${(100 * c.box.height) / p.height}%`;
    b.append(el("span", { class: "box-number" }, String(j + 1)));
    view.append(b);
  });
}

// The answer of a file: one card, or for a field one card per cell (the first in the file's place, the others after it).
// Returns the cards, in order.
function showAnswer(card, p, classes, file) {
  if (!Array.isArray(p.cells) || p.cells.length < 2) { showPrediction(card, p, classes, file); return [card]; }
  const group = `f${++state.fields}`;
  const src = $(".cell img", card).getAttribute("src");
  let previous = card;
  const cards = [];
  p.cells.forEach((c, i) => {
    let cellCard = card;
    if (i > 0) {
      cellCard = cardFor(file);
      if (src) $(".cell img", cellCard).src = src;
      previous.after(cellCard);
    }
    showField(cellCard, p, i, group);
    showPrediction(cellCard, { ...c, preview: p.preview }, classes, file);
    cards.push(cellCard);
    previous = cellCard;
  });
  return cards;
}

function showPrediction(card, p, classes, file) {
  card.dataset.state = "done";
  card.dataset.class = p.class;
  card.dataset.confidence = p.confidence;
  if (p.probability_std) card.dataset.std = p.probability_std[p.index];
  showPreview(card, p.preview);
  $(".predicted", card).textContent = words(p.class);
  const s = p.probability_std ? ` ± ${fmt(p.probability_std[p.index])}` : "";
  $(".confidence", card).textContent = `probability ${fmt(p.confidence)}${s}`;
  // ok, review (a person should look) or not_a_cell (no white cell in the image), as the API decides.
  const status = p.status || "ok";
  card.dataset.status = status;
  card.dataset.reason = p.reason || "";
  const line = $(".status", card);
  line.className = `status ${status}`;
  line.textContent = status === "review" ? `To review: ${p.reason}`
    : status === "not_a_cell" ? `Not a white cell: ${p.reason}`
    : "";
  $(".chart", card).append(chart(classes, p.probabilities, p.probability_std, p.index));
  if (p.cell_id != null && state.reviews) showReview(card, p, classes);
  else if (p.cell_id != null && p.label) showStoredLabel(card, p);
  const body = $(".explain-body", card);
  if (state.model && state.model.explainer) {
    const b = el("button", { type: "button", class: "explain-button" }, "Explain: where did the model look?");
    b.onclick = () => explain(card, file, b);
    body.textContent = "";
    body.append(b);
  } else {
    body.textContent = "Explanations are not available on this server.";
  }
}

async function errorText(r) {
  try { const j = await r.json(); return j.error || `HTTP ${r.status}`; } catch { return `HTTP ${r.status}`; }
}

function figure(cls, img, caption) {
  const f = el("figure", { class: cls });
  f.append(img, el("figcaption", {}, caption));
  return f;
}

function legend(cls, low, high, what) {
  const row = el("div", { class: "legend-row" });
  row.append(el("span", { class: "legend-what" }, what), el("span", { class: "legend-end" }, low),
    el("span", { class: `legend-bar ${cls}`, role: "img", "aria-label": `colour scale from ${low} to ${high}` }), el("span", { class: "legend-end" }, high));
  return row;
}

// Words for one channel map: its share of the evidence and where it is active.
function mapCaption(c, k, className) {
  const lines = [];
  lines.push(c.share != null ? `#${k + 1}: ${percent(c.share)} of the evidence` : `#${k + 1}: speaks against ${className}`);
  if (c.on_cell != null) lines.push(c.on_cell >= 0.5 ? `mostly on the cell (${percent(c.on_cell)})` : `mostly beside the cell (${percent(1 - c.on_cell)} outside)`);
  lines.push(`channel ${c.channel}`);
  return lines;
}

// file: the dropped File, or for a cell of a reopened sample its stored upload ({ name, load }, fetched when asked).
async function explain(card, file, button) {
  button.disabled = true;
  const body = $(".explain-body", card);
  try {
    const form = new FormData();
    const upload = file instanceof File ? file : await file.load();
    form.append("image", upload, upload.name);
    const cell = card.dataset.cell !== undefined ? `&cell=${encodeURIComponent(card.dataset.cell)}` : "";
    const r = await api(`/api/explain?class=${encodeURIComponent(card.dataset.class)}${cell}`, { method: "POST", body: form });
    if (!r.ok) throw new Error(await errorText(r));
    const e = await r.json();
    const name = words(e.class);
    body.textContent = "";
    body.classList.remove("muted", "small");
    body.append(el("p", { class: "focus-sentence" }, e.focus.sentence));

    const views = el("div", { class: "views" });
    const field = $(".field-view", card);
    // A field's cell: the image as uploaded with the cells' boxes, this cell's marked.
    const original = field ? field.cloneNode(true) : el("img", { class: "original", alt: `${file.name} as uploaded` });
    if (field) original.classList.add("original");
    else original.src = $(".cell img", card).getAttribute("src") || "";
    views.append(figure("view", original, field ? `The image as uploaded: cell #${Number(card.dataset.cell) + 1} of ${e.cells_in_image}` : "The image as uploaded"));
    views.append(figure("view", el("img", { class: "model-input", alt: "the model's input", src: "data:image/png;base64," + e.input_png }),
      `What the model sees: ${e.input}`));
    views.append(figure("view", el("img", { class: "overlay", alt: `evidence for ${name} over the cell`, src: "data:image/png;base64," + e.overlay_png }),
      `Where the evidence for ${name} lies: the brighter, the more`));
    body.append(views);

    const key = el("div", { class: "legend" });
    key.append(legend("inferno", "little", "much", "Evidence"), legend("viridis", "weak", "strong", "Pattern"));
    body.append(key);

    body.append(el("h3", {}, `The ${e.channels.length} patterns that weighed most for ${name}`));
    const maps = el("div", { class: "maps" });
    e.channels.forEach((c, k) => {
      const f = el("figure", { class: "map", "data-channel": c.channel });
      f.append(el("img", { alt: `pattern ${k + 1} (channel ${c.channel})`, src: "data:image/png;base64," + c.map_png }));
      const cap = el("figcaption");
      for (const line of mapCaption(c, k, name)) cap.append(el("span", {}, line));
      f.append(cap);
      maps.append(f);
    });
    body.append(maps);
    body.append(el("p", { class: "muted small" }, `Each pattern is one of the model's internal channels after its last step. Method: ${e.explainer}.`));
    card.dataset.explained = "true";
  } catch (err) {
    body.append(el("p", { class: "explain-error" }, "Explanation failed: " + err.message));
    button.disabled = false;
  }
}

async function classify(file, card) {
  const form = new FormData();
  form.append("images", file, file.name);
  try {
    // Stored in a sample: the server records who stored the cells (the token's user, else the name given here).
    const who = reviewerName();
    const sample = state.reviews ? `&sample=${encodeURIComponent(state.sample)}${who ? `&reviewer=${encodeURIComponent(who)}` : ""}` : "";
    let r;
    // Over the server's limit of requests per person (429), wait as long as it says and send the image again.
    for (let attempt = 0; ; attempt++) {
      r = await api(`/api/predict?preview=true${sample}`, { method: "POST", body: form });
      if (r.status !== 429 || attempt >= 30) break;
      const wait = Math.max(1, Number(r.headers.get("Retry-After")) || 1);
      setStatus(`The server takes a limited number of images per minute from each person: waiting ${wait} s…`);
      await sleep(wait * 1000);
    }
    if (!r.ok) { showError(card, await errorText(r)); return false; }
    const j = await r.json();
    const p = j.predictions[0];
    if (p.status === "error") { showError(card, p.error); return false; }
    showAnswer(card, p, j.classes, file);
    return true;
  } catch (err) {
    showError(card, "The server did not answer: " + err.message);
    return false;
  }
}

// Where a card counts in the sample's differential count: its reviewed label when a person placed it; otherwise the
// model's class (status ok), "review" (not counted until placed) or not_a_cell. The same rule as the server's.
function countedAs(card) {
  if (card.dataset.label) return card.dataset.label;
  if (card.dataset.status === "review") return "review";
  if (card.dataset.status === "not_a_cell") return NOT_A_CELL;
  return card.dataset.class;
}

// The sample's differential count: white cells per type (and their share of the counted cells), cells to review,
// images without a white cell and files that could not be read. It follows the reviews.
function updateSummary() {
  const cards = $$(".card");
  $("#batch").hidden = cards.length === 0;
  const done = cards.filter(c => c.dataset.state === "done");
  const at = done.map(countedAs);
  const counted = at.filter(a => a !== "review" && a !== NOT_A_CELL);
  const counts = new Map();
  for (const a of counted) counts.set(a, (counts.get(a) || 0) + 1);
  const classes = state.model ? state.model.classes : Array.from(counts.keys());
  const body = $("#summary tbody");
  body.textContent = "";
  for (const name of classes) {
    const n = counts.get(name);
    if (!n) continue;
    const tr = el("tr", { "data-class": name });
    tr.append(el("td", {}, words(name)), el("td", { class: "count" }, String(n)), el("td", { class: "share" }, percent(n / counted.length)));
    body.append(tr);
  }
  const foot = $("#summary tfoot");
  foot.textContent = "";
  const row = (key, label, n) => {
    const tr = el("tr", { "data-row": key });
    tr.append(el("th", { scope: "row" }, label), el("td", { class: "count" }, String(n)), el("td"));
    foot.append(tr);
  };
  row("cells", "White cells counted", counted.length);
  row("review", "To review (not counted yet)", at.filter(a => a === "review").length);
  row("not_a_cell", "No white cell in the image", at.filter(a => a === NOT_A_CELL).length);
  row("error", "Could not be read", cards.filter(c => c.dataset.state === "error").length);
  if (state.reviews) row("reviewed", "Reviewed by a person", done.filter(c => c.dataset.label).length);
  const pending = cards.filter(c => c.dataset.state === "pending").length;
  if (pending) row("pending", "Still being classified", pending);
  updateQueue();
}

function csvField(v) {
  let s = v == null ? "" : String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s;   // not taken for a formula by a spreadsheet
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function resultsCsv() {
  const rows = [["file", "cell", "status", "class", "probability", "probability_std", "reason", "reviewed_class", "reviewer"]];
  for (const c of $$(".card")) {
    if (c.dataset.state === "done")
      rows.push([c.dataset.file, c.dataset.cell !== undefined ? Number(c.dataset.cell) + 1 : 1, c.dataset.status, c.dataset.class, Number(c.dataset.confidence).toFixed(4),
        c.dataset.std !== undefined ? Number(c.dataset.std).toFixed(4) : "", c.dataset.reason, c.dataset.label || "", c.dataset.reviewer || ""]);
    else if (c.dataset.state === "error")
      rows.push([c.dataset.file, "", "error", "", "", "", c.dataset.error, "", ""]);
  }
  return rows.map(r => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function downloadCsv() {
  const url = URL.createObjectURL(new Blob([resultsCsv()], { type: "text/csv;charset=utf-8" }));
  const a = el("a", { href: url, download: "wbc-nca-results.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Removes every card (and the queue of images not sent yet).
function clearCards() {
  state.queue.length = 0;
  state.opened++;   // images of a sample still coming are not shown any more
  for (const c of $$(".card")) {
    const src = $(".cell img", c)?.getAttribute("src");
    if (src && src.startsWith("blob:")) URL.revokeObjectURL(src);
    c.remove();
  }
  state.current = null;
  state.userMoved = false;
}

function clearResults() {
  clearCards();
  setStatus("");
  if (state.reviews) startSample(); else state.sample = "";
  delete document.body.dataset.opened;
  updateSummary();
  loadSamples();
}

// One request per image (the server batches waiting images itself), a few at a time.
function pump() {
  while (state.inFlight < MAX_PARALLEL && state.queue.length > 0) {
    const { file, card } = state.queue.shift();
    state.inFlight++;
    classify(file, card).finally(() => {
      state.inFlight--;
      const pending = document.querySelectorAll('.card[data-state="pending"]').length;
      const failed = document.querySelectorAll('.card[data-state="error"]').length;
      setStatus(pending ? `${pending} image(s) left…` : `Done.${failed ? ` ${failed} image(s) could not be classified.` : ""}`, failed > 0 && !pending);
      updateSummary();
      if (!pending && state.inFlight === 0 && state.queue.length === 0) loadSamples();
      pump();
    });
  }
}

function addFiles(files) {
  const list = Array.from(files);
  if (list.length === 0) return;
  if (state.reviews) lockSample();
  setStatus(`${list.length} image(s) to classify…`);
  for (const file of list) state.queue.push({ file, card: newCard(file) });
  updateSummary();
  pump();
}

// ---- Review: confirm or correct each cell; the server keeps every answer and review (serve --db). ----

function pad2(n) { return String(n).padStart(2, "0"); }

function defaultSampleName() {
  const d = new Date();
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function setUpReview(enabled) {
  state.reviews = enabled;
  $("#sample-bar").hidden = !enabled;
  $("#review-queue").hidden = !enabled;
  $("#no-records").hidden = enabled;
  document.body.dataset.reviews = enabled ? "true" : "false";
  $("#count-note").textContent = enabled
    ? "Cells to review count once a person has confirmed or corrected them."
    : "Cells to review are not counted: they need a person, and this server keeps no records to review them in.";
  if (!enabled) return;
  $("#clear").textContent = "New sample";
  const reviewer = $("#reviewer");
  try { reviewer.value = localStorage.getItem(REVIEWER_KEY) || ""; } catch { /* storage off */ }
  if (state.me && state.me.user) {
    // With a token the server records the token's user as the reviewer, whatever name the page sends.
    reviewer.value = state.me.user;
    reviewer.readOnly = true;
    reviewer.title = "Reviews are recorded under the name of your access token";
  }
  for (const ev of ["input", "change"])
    reviewer.addEventListener(ev, () => { try { localStorage.setItem(REVIEWER_KEY, reviewer.value.trim()); } catch { /* storage off */ } });
  startSample();
}

function startSample() {
  const input = $("#sample-name");
  input.readOnly = false;
  input.value = defaultSampleName();
  state.sample = input.value;
  state.uploads = 0;
  $("#export-csv").hidden = true;
  $("#audit-csv").hidden = true;
}

// The sample's name is fixed by its first upload: every cell on the page belongs to it.
function lockSample() {
  const input = $("#sample-name");
  if (!input.readOnly) {
    const name = input.value.trim() || defaultSampleName();
    input.value = name;
    input.readOnly = true;
    state.sample = name;
  }
  state.uploads++;
  $("#export-csv").hidden = false;
  $("#audit-csv").hidden = false;
}

// Downloads a CSV of the server (with the access token, which a plain link would not send).
async function downloadFrom(url, fallbackName) {
  try {
    const r = await api(url);
    if (!r.ok) throw new Error(await errorText(r));
    const match = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const href = URL.createObjectURL(await r.blob());
    const a = el("a", { href, download: match ? match[1] : fallbackName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10000);
  } catch (err) {
    setStatus("Download failed: " + err.message, true);
  }
}

function reviewerName() { return $("#reviewer").value.trim(); }

function labelKey(i, labels) {
  if (labels[i] === NOT_A_CELL) return "x";
  return i < CLASS_KEYS.length ? CLASS_KEYS[i] : "";
}

function showReview(card, p, classes) {
  card.dataset.cellId = p.cell_id;
  const box = $(".review-box", card);
  box.hidden = false;
  const labels = [...classes, NOT_A_CELL];
  card.dataset.modelLabel = p.status === "not_a_cell" ? NOT_A_CELL : p.class;
  const select = $("select.correct", box);
  labels.forEach((name, i) => {
    const key = labelKey(i, labels);
    const o = el("option", { value: name, "data-key": key }, `${key ? key.toUpperCase() + " · " : ""}${name === NOT_A_CELL ? "not a white cell" : words(name)}`);
    select.append(o);
  });
  $("button.confirm", box).textContent = p.status === "not_a_cell" ? "Confirm: no white cell" : `Confirm ${words(p.class)}`;
  $("button.confirm", box).onclick = e => { e.stopPropagation(); setCurrent(card, false); review(card, { confirm: true }); };
  select.onchange = () => { if (select.value) { setCurrent(card, false); review(card, { class: select.value }); select.value = ""; } };
  $("button.history-button", box).onclick = e => { e.stopPropagation(); toggleHistory(card); };
  card.addEventListener("click", () => setCurrent(card, false));
  // Cells to review first (the cards keep their upload order in the page's structure).
  card.style.order = p.status === "review" ? "0" : "1";
  $(".label-line", box).textContent = "Not reviewed yet.";
  if (p.label) markReviewed(card, storedReview(p, card.dataset.modelLabel), p.reviews);   // a reopened sample's cell
}

// A card's current label: its latest review (rv: label, action, reviewer, time) and how many reviews the cell has.
function markReviewed(card, rv, reviews) {
  card.dataset.label = rv.label;
  card.dataset.reviewer = rv.reviewer;
  card.dataset.reviews = reviews;
  card.classList.add("reviewed");
  $(".review-box .label-line", card).textContent = describeReview(rv);
}

// The latest review of a stored cell (p: a cell of GET /api/samples/{name}), as a review the page made is shown.
function storedReview(p, modelLabel) {
  return { label: p.label, reviewer: p.reviewer, time: p.reviewed_at, action: p.label === modelLabel ? "confirm" : "correct" };
}

// A viewer sees a stored cell's current label (and its count follows it) without the review controls.
function showStoredLabel(card, p) {
  const box = $(".review-box", card);
  box.hidden = false;
  $(".review-actions", box).hidden = true;
  markReviewed(card, storedReview(p, p.status === "not_a_cell" ? NOT_A_CELL : p.class), p.reviews);
}

function describeReview(rv) {
  const what = rv.label === NOT_A_CELL ? "not a white cell" : words(rv.label);
  const when = new Date(rv.time).toLocaleString();
  return rv.action === "confirm" ? `Confirmed: ${what} (by ${rv.reviewer}, ${when})` : `Corrected to ${what} (by ${rv.reviewer}, ${when})`;
}

async function review(card, body) {
  const box = $(".review-box", card);
  const error = $(".review-error", box);
  error.textContent = "";
  const name = reviewerName();
  if (name) body.reviewer = name;
  card.dataset.saving = "true";
  try {
    const r = await api(`/api/cells/${card.dataset.cellId}/review`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(await errorText(r));
    const j = await r.json();
    markReviewed(card, j.review, j.cell.reviews);
    const history = $(".history", box);
    if (!history.hidden) await loadHistory(card);
    updateSummary();
    if (state.current === card) moveToNext(card);
    loadSamples();
  } catch (err) {
    error.textContent = "Not saved: " + err.message;
  } finally {
    delete card.dataset.saving;
  }
}

async function loadHistory(card) {
  const list = $(".history", card);
  const r = await api(`/api/cells/${card.dataset.cellId}/history`);
  if (!r.ok) { list.textContent = await errorText(r); return; }
  const j = await r.json();
  list.textContent = "";
  const model = j.cell.status === "not_a_cell" ? "no white cell" : `${words(j.cell.class)} (${fmt(j.cell.confidence)}, ${j.cell.status})`;
  list.append(el("li", {}, `Model ${j.cell.model.file}: ${model}`));
  for (const h of j.history) list.append(el("li", {}, describeReview(h)));
}

async function toggleHistory(card) {
  const list = $(".history", card);
  list.hidden = !list.hidden;
  if (!list.hidden) await loadHistory(card);
}

// The review queue: the cards that can be reviewed, cells to review first, each group in upload order.
function queue() {
  return $$(".card[data-cell-id]").map((c, i) => ({ c, i, o: Number(c.style.order || 1) }))
    .sort((a, b) => a.o - b.o || a.i - b.i).map(x => x.c);
}

function setCurrent(card, scroll) {
  if (state.current === card) return;
  if (state.current) { state.current.classList.remove("current"); state.current.removeAttribute("aria-current"); }
  state.current = card;
  state.userMoved = true;
  if (card) {
    card.classList.add("current");
    card.setAttribute("aria-current", "true");
    if (scroll) card.scrollIntoView({ block: "nearest" });
  }
  updateQueue();
}

// The current cell's box is highlighted in every card of its field.
function markCurrentBox() {
  for (const b of $$(".field-view .box.current")) b.classList.remove("current");
  const c = state.current;
  if (!c || c.dataset.field === undefined) return;
  for (const b of $$(`.card[data-field="${c.dataset.field}"] .field-view .box[data-cell="${c.dataset.cell}"]`)) b.classList.add("current");
}

function moveToNext(from) {
  const q = queue();
  const start = q.indexOf(from);
  const rest = [...q.slice(start + 1), ...q.slice(0, Math.max(start, 0))];
  const next = rest.find(c => !c.dataset.label);
  if (next) setCurrent(next, true); else updateQueue();
}

function step(delta) {
  const q = queue();
  if (q.length === 0) return;
  const i = q.indexOf(state.current);
  setCurrent(q[Math.min(q.length - 1, Math.max(0, i < 0 ? 0 : i + delta))], true);
}

function updateQueue() {
  if (!state.reviews) return;
  const q = queue();
  // Until the reviewer moves, the current cell is the first of the queue nobody reviewed (a cell to review, when there
  // is one; in a reopened sample the reviews made before are passed over).
  const first = q.find(c => !c.dataset.label) || q[0];
  if (!state.userMoved && first && state.current !== first) {
    if (state.current) { state.current.classList.remove("current"); state.current.removeAttribute("aria-current"); }
    state.current = first;
    first.classList.add("current");
    first.setAttribute("aria-current", "true");
  }
  markCurrentBox();
  const left = q.filter(c => !c.dataset.label);
  const toReview = left.filter(c => c.dataset.status === "review").length;
  const pos = state.current ? q.indexOf(state.current) + 1 : 0;
  $("#queue-status").textContent = q.length === 0 ? ""
    : left.length === 0 ? `All ${q.length} cell(s) of sample "${state.sample}" are reviewed.`
    : `Cell ${pos} of ${q.length} · ${left.length} not reviewed yet, ${toReview} of them to review.`;
}

function onKey(e) {
  if (!state.reviews || !state.current || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA", "BUTTON", "A", "SUMMARY"].includes(t.tagName) || (t.closest && t.closest("#drop")))) return;
  const card = state.current;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === "ArrowDown" || key === "n") { e.preventDefault(); step(1); return; }
  if (key === "ArrowUp" || key === "p") { e.preventDefault(); step(-1); return; }
  if (card.dataset.saving) return;
  if (key === "Enter" || key === "y") { e.preventDefault(); review(card, { confirm: true }); return; }
  const option = $$("select.correct option", card).find(o => o.dataset.key === key);
  if (option) { e.preventDefault(); review(card, { class: option.value }); }
}

// ---- Samples kept on the server: list them, and reopen one to go on reviewing it. ----

// The list shows the newest samples a page at a time (a lab keeps thousands); "Show older samples" adds the next page,
// the filter asks the server for names containing it. A reload keeps as many rows as were shown.
const SAMPLE_PAGE = 25;
const sampleList = { shown: 0, filter: "", timer: 0 };

function sampleRow(s, open) {
  const tr = el("tr", { "data-sample": s.sample });
  if (s.sample === open && $$(".card").length > 0) { tr.classList.add("open"); tr.setAttribute("aria-current", "true"); }
  const b = el("button", { type: "button", class: "open" }, "Open");
  b.onclick = () => openSample(s.sample, b);
  const action = el("td");
  action.append(b);
  tr.append(el("td", { class: "name" }, s.sample), el("td", { class: "created" }, new Date(s.created_at).toLocaleString()),
    el("td", { class: "count cells" }, String(s.cells)), el("td", { class: "count reviewed" }, String(s.reviewed)),
    el("td", { class: "count to-review" }, String(s.to_review)), action);
  return tr;
}

// more: append the next page; otherwise reload from the newest, keeping at least as many rows as were shown.
async function loadSamples(more = false) {
  if (!state.model || state.model.reviews !== true) return;
  const offset = more ? sampleList.shown : 0;
  const limit = more ? SAMPLE_PAGE : Math.max(SAMPLE_PAGE, sampleList.shown);
  const filter = sampleList.filter;
  const query = `order=newest&offset=${offset}&limit=${limit}` + (filter ? `&q=${encodeURIComponent(filter)}` : "");
  let j;
  try {
    const r = await api(`/api/samples?${query}`);
    if (!r.ok) return;
    j = await r.json();
  } catch { return; }
  if (filter !== sampleList.filter) return;   // the filter changed while this page was on its way
  $("#samples").hidden = false;
  const body = $("#sample-list tbody");
  if (!more) body.textContent = "";
  const open = $("#sample-name").readOnly || !state.reviews ? state.sample : "";
  for (const s of j.samples) body.append(sampleRow(s, open));
  sampleList.shown = body.children.length;
  const any = sampleList.shown > 0;
  $(".sample-scroll").hidden = !any;
  $("#samples-more").hidden = sampleList.shown >= j.total;
  $("#samples-shown").textContent = j.total > 0 ? `${sampleList.shown} of ${j.total}` : "";
  const empty = $("#samples-empty");
  empty.hidden = any;
  empty.textContent = filter ? `No sample name contains "${filter}".` : "No sample is kept yet: the images you drop are the first.";
  $(".sample-tools").hidden = !filter && j.total <= SAMPLE_PAGE;   // the filter appears once there is more than a page
}

$("#samples-more").addEventListener("click", () => loadSamples(true));
$("#sample-filter").addEventListener("input", e => {
  clearTimeout(sampleList.timer);
  sampleList.timer = setTimeout(() => {
    sampleList.filter = e.target.value.trim();
    sampleList.shown = 0;
    loadSamples();
  }, 250);
});

// The cells of one upload: consecutive cells of the same image, numbered from 0 (a field holds several).
function imageGroups(cells) {
  const groups = [];
  for (const c of cells) {
    const last = groups[groups.length - 1];
    if (last && c.cell > 0 && last[0].image_sha256 === c.image_sha256 && last.length < (last[0].cells_in_image || 1)) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

// A stored upload, fetched (once) when an explanation asks for it.
function storedUpload(c) {
  let file = null;
  return {
    name: c.file,
    load: async () => {
      if (file) return file;
      const r = await api(`/api/cells/${c.cell_id}/image`);
      if (!r.ok) throw new Error(await errorText(r));
      const blob = await r.blob();
      file = new File([blob], c.file, { type: blob.type });
      return file;
    },
  };
}

// Opens a stored sample: its cells become the page's cards, each with the model's answer, its status and its current
// label, in the review queue and the differential count as if just uploaded; images dropped now are added to it.
async function openSample(name, button) {
  if (state.inFlight > 0 || state.queue.length > 0) { setStatus("Wait until the images are classified before opening a sample.", true); return; }
  if (button) button.blur();   // the review keys act on the page
  delete document.body.dataset.imagesShown;
  setStatus(`Opening sample "${name}"…`);
  let j;
  try {
    const r = await api(`/api/samples/${encodeURIComponent(name)}`);
    if (!r.ok) throw new Error(await errorText(r));
    j = await r.json();
  } catch (err) {
    setStatus(`Sample "${name}" could not be opened: ${err.message}`, true);
    return;
  }
  clearCards();
  const opened = state.opened;
  state.sample = j.sample;
  if (state.reviews) {
    const input = $("#sample-name");
    input.value = j.sample;
    input.readOnly = true;
    state.uploads = 1;
    $("#export-csv").hidden = false;
    $("#audit-csv").hidden = false;
  }
  const classesOf = new Map((j.models || []).map(m => [`${m.file}\n${m.sha256}`, m.classes]));
  const groups = imageGroups(j.cells).map(cells => {
    const first = cells[0];
    const upload = storedUpload(first);
    const card = cardFor(upload);
    $(".cell img", card).alt = "(image follows)";
    $(".cell .name", card).textContent = first.file;
    $("#results").append(card);
    const answer = c => ({ ...c, path: c.file });
    const p = cells.length > 1 ? { ...answer(first), cells: cells.map(answer) } : answer(first);
    const classes = classesOf.get(`${first.model.file}\n${first.model.sha256}`) || state.model.classes;
    return { p, cells, cards: showAnswer(card, p, classes, upload) };
  });
  updateSummary();
  const left = j.cells.filter(c => !c.label).length;
  setStatus(`Sample "${j.sample}": ${j.cells.length} cell(s), ${left} not reviewed yet.`);
  document.body.dataset.opened = j.sample;
  loadSamples();
  await showStoredImages(groups, opened);
}

// The images of a reopened sample: the server's PNG previews (fetched with the token, a few at a time; one per image),
// and a field's boxes once its size is known.
async function showStoredImages(groups, opened) {
  let next = 0;
  const worker = async () => {
    while (next < groups.length && state.opened === opened) {
      const g = groups[next++];
      try {
        const r = await api(`/api/cells/${g.cells[0].cell_id}/image?preview=true`);
        if (!r.ok) throw new Error(await errorText(r));
        const width = Number(r.headers.get("X-Image-Width")), height = Number(r.headers.get("X-Image-Height"));
        const url = URL.createObjectURL(await r.blob());
        if (state.opened !== opened) { URL.revokeObjectURL(url); return; }
        for (const card of g.cards) {
          showPreview(card, url);
          const view = $(".field-view", card);
          if (view && g.p.cells) addBoxes(view, { ...g.p, width, height }, Number(card.dataset.cell));
        }
      } catch (err) {
        for (const card of g.cards) $(".cell img", card).alt = "The image could not be loaded: " + err.message;
      }
    }
  };
  await Promise.all(Array.from({ length: MAX_PARALLEL }, worker));
  if (state.opened === opened) { markCurrentBox(); document.body.dataset.imagesShown = "true"; }
}

function setUp() {
  const drop = $("#drop"), input = $("#files");
  input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
  for (const ev of ["dragenter", "dragover"]) drop.addEventListener(ev, e => { e.preventDefault(); drop.classList.add("over"); });
  for (const ev of ["dragleave", "drop"]) drop.addEventListener(ev, e => { e.preventDefault(); drop.classList.remove("over"); });
  drop.addEventListener("drop", e => addFiles(e.dataTransfer.files));
  drop.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  $("#download-csv").addEventListener("click", downloadCsv);
  $("#clear").addEventListener("click", clearResults);
  $("#export-csv").addEventListener("click", () => downloadFrom(`/api/export.csv?sample=${encodeURIComponent(state.sample)}`, "wbc-nca-reviews.csv"));
  $("#audit-csv").addEventListener("click", () => downloadFrom(`/api/audit.csv?sample=${encodeURIComponent(state.sample)}`, "wbc-nca-audit.csv"));
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  document.addEventListener("keydown", onKey);
  loadModel();
}

document.addEventListener("DOMContentLoaded", setUp);
