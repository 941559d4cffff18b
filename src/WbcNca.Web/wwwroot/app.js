// WBC-NCA lab page: plain JavaScript, no external script, font or style.
"use strict";

const state = { model: null, inFlight: 0, queue: [] };
const MAX_PARALLEL = 4;
const $ = (sel, root = document) => root.querySelector(sel);
const SVG = "http://www.w3.org/2000/svg";

function fmt(x, digits = 3) { return Number(x).toFixed(digits); }

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

async function loadModel() {
  try {
    const r = await fetch("/api/model");
    if (!r.ok) throw new Error(`GET /api/model: ${r.status}`);
    const m = await r.json();
    state.model = m;
    $("#model-info").textContent =
      `${m.classes.length} classes · ${m.parameters.toLocaleString("en")} parameters · ${m.config.steps} steps on ${m.config.image_size}×${m.config.image_size} · ` +
      `uncertainty from ${m.samples} stochastic run${m.samples > 1 ? "s" : ""}` + (m.provenance && m.provenance.source ? ` · ${m.provenance.source}` : "");
    $("#limits").textContent = `Up to ${m.limits.max_images_per_request} images per request, ${(m.limits.max_upload_bytes / 1048576).toFixed(0)} MiB in all.`;
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
    g.append(el("svg:text", { x: labelW - 6, y: y + rowH * 0.7, "text-anchor": "end" }, name.replaceAll("_", " ")));
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

function newCard(file) {
  const card = $("#card").content.firstElementChild.cloneNode(true);
  card.dataset.file = file.name;
  card.dataset.state = "pending";
  const img = $(".cell img", card);
  img.src = URL.createObjectURL(file);
  img.onerror = () => { img.removeAttribute("src"); img.alt = "(no preview for this format)"; };
  $(".cell .name", card).textContent = file.name;
  $(".predicted", card).textContent = "classifying…";
  $("#results").prepend(card);
  return card;
}

function showError(card, message) {
  card.dataset.state = "error";
  card.classList.add("failed");
  $(".predicted", card).textContent = "Not classified";
  $(".confidence", card).textContent = message;
  $(".chart", card).remove();
  $(".explain", card).remove();
}

function showPrediction(card, p, classes, file) {
  card.dataset.state = "done";
  card.dataset.class = p.class;
  $(".predicted", card).textContent = p.class.replaceAll("_", " ");
  const s = p.probability_std ? ` ± ${fmt(p.probability_std[p.index])} (std over runs)` : "";
  $(".confidence", card).textContent = `probability ${fmt(p.confidence)}${s}`;
  // ok, review (a person should look) or not_a_cell (no white cell in the image), as the API decides.
  const status = p.status || "ok";
  card.dataset.status = status;
  const line = $(".status", card);
  line.className = `status ${status}`;
  line.textContent = status === "review" ? `To review: ${p.reason}`
    : status === "not_a_cell" ? `Not a white cell: ${p.reason}`
    : "";
  $(".chart", card).append(chart(classes, p.probabilities, p.probability_std, p.index));
  const body = $(".explain-body", card);
  if (state.model && state.model.explainer) {
    const b = el("button", { type: "button", class: "explain-button" }, "Explain");
    b.onclick = () => explain(card, file, b);
    body.textContent = "";
    body.append(b);
  } else {
    body.textContent = "Explanations (relevant channels, overlay on the cell) are not available on this server.";
  }
}

async function errorText(r) {
  try { const j = await r.json(); return j.error || `HTTP ${r.status}`; } catch { return `HTTP ${r.status}`; }
}

async function explain(card, file, button) {
  button.disabled = true;
  const body = $(".explain-body", card);
  const form = new FormData();
  form.append("image", file, file.name);
  try {
    const r = await fetch(`/api/explain?class=${encodeURIComponent(card.dataset.class)}`, { method: "POST", body: form });
    if (!r.ok) throw new Error(await errorText(r));
    const e = await r.json();
    body.textContent = "";
    body.append(el("img", { class: "overlay", alt: `relevance for ${e.class} over the cell`, src: "data:image/png;base64," + e.overlay_png }));
    body.append(el("p", {}, `${e.explainer}: channels most relevant for ${e.class.replaceAll("_", " ")}`));
    const list = el("ol", { class: "channels" });
    for (const c of e.channels) {
      const li = el("li", {}, `channel ${c.channel}: ${fmt(c.relevance)} `);
      li.append(el("img", { class: "map", alt: `channel ${c.channel}`, src: "data:image/png;base64," + c.map_png }));
      list.append(li);
    }
    body.append(list);
    card.dataset.explained = "true";
  } catch (err) {
    body.textContent = "Explanation failed: " + err.message;
    button.disabled = false;
  }
}

async function classify(file, card) {
  const form = new FormData();
  form.append("images", file, file.name);
  try {
    const r = await fetch("/api/predict", { method: "POST", body: form });
    if (!r.ok) { showError(card, await errorText(r)); return false; }
    const j = await r.json();
    showPrediction(card, j.predictions[0], j.classes, file);
    return true;
  } catch (err) {
    showError(card, "The server did not answer: " + err.message);
    return false;
  }
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
      pump();
    });
  }
}

function addFiles(files) {
  const list = Array.from(files);
  if (list.length === 0) return;
  setStatus(`${list.length} image(s) to classify…`);
  for (const file of list) state.queue.push({ file, card: newCard(file) });
  pump();
}

function setUp() {
  const drop = $("#drop"), input = $("#files");
  input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
  for (const ev of ["dragenter", "dragover"]) drop.addEventListener(ev, e => { e.preventDefault(); drop.classList.add("over"); });
  for (const ev of ["dragleave", "drop"]) drop.addEventListener(ev, e => { e.preventDefault(); drop.classList.remove("over"); });
  drop.addEventListener("drop", e => addFiles(e.dataTransfer.files));
  drop.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  loadModel();
}

document.addEventListener("DOMContentLoaded", setUp);
