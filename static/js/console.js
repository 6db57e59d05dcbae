// Facilitator console of one atelier (laptop and tablet): live cards with moderation,
// round controls (only the moves the server allows from the current phase), timer, and
// the projector's view mode. Every action is a Socket.IO event authorised by the server;
// the screen only changes when the server's answer or broadcast says so.
// User text via textContent only (no innerHTML).
import { connectPage } from "./live.js";
import "./atelier_head.js"; // title, question, room and event name, live (issue 3)
import { CardList, photoDeltas } from "./cards.js";
import { el } from "./dom.js";
import { RoundClock, PHASE_LABELS } from "./round.js";
import { formatSeconds } from "./time.js";
import { listenAnnouncements } from "./announce.js";
import { tr } from "./i18n.js";
import { approvalConsole } from "./approval_console.js";

const PHASE_ORDER = ["preparation", "contributions", "vote", "resultats", "clos"];
const MOVE_LABELS = {
  preparation: tr("Revenir en préparation"),
  contributions: tr("Ouvrir les contributions"),
  vote: tr("Passer au vote"),
  // The same action as the vote panel's button, under the same name.
  resultats: tr("Révéler les résultats"),
  clos: tr("Clore la manche"),
};
// Going back is a reopening (allowed and audited by the server): say so on the button.
const REOPEN_LABELS = {
  preparation: tr("Revenir en préparation"),
  contributions: tr("Rouvrir les contributions"),
  vote: tr("Rouvrir le vote"),
  resultats: tr("Revenir aux résultats"),
};

// `vote`: this round's ballot (round.vote): a round closed without a vote goes « au vote »,
// not « back » to it; results never revealed are revealed, not returned to.
function moveLabel(from, to, vote) {
  let back = PHASE_ORDER.indexOf(to) < PHASE_ORDER.indexOf(from);
  if ((to === "vote" && !vote) || (to === "resultats" && vote !== "révélé")) back = false;
  return (back ? REOPEN_LABELS[to] : MOVE_LABELS[to]) || PHASE_LABELS[to] || to;
}

function button(text, onClick, className = "button button--secondary button--small") {
  const b = el("button", className, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function init(root) {
  document.documentElement.classList.add("js");
  const atelierId = Number(root.dataset.atelierId);
  const $ = (id) => document.getElementById(id);
  const errorBox = $("console-error");
  let round = null;
  let categories = new Map();
  let projector = { mode: "all", focus_id: null };
  let live = null;

  function showError(err) {
    const message = (err && (Object.values(err.errors || {})[0] || err.message)) || tr("Action refusée.");
    errorBox.textContent = message;
    errorBox.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { errorBox.hidden = true; }, 8000);
  }

  async function send(event, payload) {
    if (!live) return null;
    try {
      const ack = await live.request(event, { atelier_id: atelierId, ...payload });
      if (!ack || ack.ok !== true) {
        showError(ack);
        live.resync(); // our screen may be stale: take the server's state
        return null;
      }
      errorBox.hidden = true;
      return ack;
    } catch {
      showError({ message: tr("Pas de réponse du serveur : vérifiez la connexion et réessayez.") });
      return null;
    }
  }

  // ---- « tour anonyme », « validation des cartes » and the queue -----------------------
  const approval = approvalConsole({ send });

  // ---- cards with moderation tools ---------------------------------------------------
  const cards = new CardList($("cards"), {
    level: 3,
    highlight: true,
    onChange(n) {
      $("card-count").textContent = `(${n})`;
      decorateAll();
    },
  });

  function dataOf(id) {
    const entry = cards.entries.get(String(id));
    return entry && entry.data;
  }

  function decorate(node) {
    const data = dataOf(node.dataset.id);
    if (!data) return;
    const key = JSON.stringify([data.hidden, data.pinned, data.category_id, projector.mode, projector.focus_id,
      [...categories.keys()].join(","), cards.size]);
    if (node.dataset.tools === key) return;
    node.dataset.tools = key;
    const old = node.querySelector(":scope > .card__tools");
    if (old) old.remove();
    const tools = el("div", "card__tools");
    const id = data.id;
    tools.append(
      button(tr("Modifier"), () => openEditor(node, data)),
      button(data.hidden ? tr("Afficher") : tr("Masquer"), () =>
        send("moderation:hide", { contribution_id: id, hidden: !data.hidden })),
      button(data.pinned ? tr("Désépingler") : tr("Épingler"), () =>
        send("moderation:pin", { contribution_id: id, pinned: !data.pinned })),
    );
    if (!data.hidden) {
      const focused = projector.mode === "card" && String(projector.focus_id) === String(id);
      tools.append(button(focused ? tr("Projetée") : tr("Projeter"), () =>
        send("projector:mode", { mode: "card", contribution_id: id })));
    }
    // Category
    const catLabel = el("label", "card__tool-label", tr("Catégorie"));
    const cat = el("select", "field__input field__input--small");
    const none = el("option", "", "—");
    none.value = "";
    cat.append(none);
    for (const [cid, name] of categories) {
      const o = el("option", "", name);
      o.value = cid;
      if (String(data.category_id) === cid) o.selected = true;
      cat.append(o);
    }
    cat.addEventListener("change", () =>
      send("moderation:categorize", { contribution_id: id, category_id: cat.value ? Number(cat.value) : null }));
    catLabel.append(cat);
    tools.append(catLabel);
    // Merge into another card
    const mergeLabel = el("label", "card__tool-label", tr("Fusionner dans"));
    const merge = el("select", "field__input field__input--small");
    const pick = el("option", "", tr("choisir…"));
    pick.value = "";
    merge.append(pick);
    for (const entry of cards.entries.values()) {
      if (!entry.data || entry.data.id === id) continue;
      const o = el("option", "", entry.data.titre);
      o.value = String(entry.data.id);
      merge.append(o);
    }
    merge.addEventListener("change", async () => {
      if (!merge.value) return;
      const target = dataOf(merge.value);
      if (!window.confirm(tr("Fusionner « {titre} » dans « {v} » ? Les deux textes et auteurs sont conservés.", { titre: data.titre, v: target ? target.titre : "" }))) {
        merge.value = "";
        return;
      }
      await send("moderation:merge", { target_id: Number(merge.value), source_id: id });
    });
    mergeLabel.append(merge);
    tools.append(mergeLabel);
    node.append(tools);
  }

  function decorateAll() {
    for (const node of cards.container.querySelectorAll(":scope > .card[data-id]")) decorate(node);
  }

  function openEditor(node, data) {
    if (node.querySelector(".card__editor")) return;
    const editor = el("form", "card__editor form");
    const title = el("input", "field__input");
    title.maxLength = 120; title.value = data.titre || "";
    title.setAttribute("aria-label", tr("Titre"));
    const desc = el("textarea", "field__input");
    desc.maxLength = 2000; desc.rows = 4; desc.value = data.description || "";
    desc.setAttribute("aria-label", tr("Description"));
    const save = el("button", "button button--small", tr("Enregistrer")); save.type = "submit";
    const cancel = button(tr("Annuler"), () => editor.remove());
    const actions = el("p", "actions"); actions.append(save, cancel);
    editor.append(title, desc, actions);
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await send("moderation:edit", { contribution_id: data.id, titre: title.value, description: desc.value });
      if (ack) { cards.add(ack.contribution, { highlight: false }); editor.remove(); }
    });
    node.append(editor);
    title.focus();
  }

  // ---- round -------------------------------------------------------------------------
  const phaseButtons = $("phase-buttons");
  const clock = new RoundClock((v) => {
    round = v.round;
    $("round-number").textContent = v.round ? String(v.round.number) : "—";
    const phase = $("round-phase");
    phase.textContent = v.round ? v.label : "aucune";
    phase.dataset.phase = v.phase || "";
    root.dataset.phase = v.phase || "";
    const timer = $("round-timer");
    timer.hidden = v.remaining === null;
    if (v.remaining !== null) {
      $("timer-value").textContent = formatSeconds(v.remaining);
      $("timer-state").textContent = v.timerState === "paused" ? tr("en pause")
        : v.timerState === "ended" ? tr("temps écoulé") : "";
    }
    timer.dataset.state = v.timerState;
    $("timer-pause").hidden = v.timerState !== "running";
    $("timer-resume").hidden = v.timerState !== "paused";
    $("timer-add-1").hidden = $("timer-add-5").hidden = v.timerState === "none";
    $("timer-form").hidden = !v.round || v.phase === "clos";
    $("round-new").hidden = !v.round || v.phase !== "clos";
    const atZero = $("timer-at-zero");
    atZero.hidden = !v.round || v.phase === "clos";
    if (v.round) atZero.elements.namedItem("at_zero").value = v.round.at_zero || "alert";
    // Only the moves the server allows from its phase (at zero with « passer à la phase
    // suivante »: none until the server confirms the new phase, within a second).
    const allowed = v.expired ? [] : (v.round ? v.round.allowed || [] : []);
    phaseButtons.replaceChildren(...allowed.map((to) => {
      const b = button(moveLabel(v.phase, to, v.round.vote), () => move(to), "button");
      b.dataset.to = to;
      return b;
    }));
  });

  function setRound(r, serverTime) { clock.update(r, serverTime); approval.round(r); }

  async function move(to) {
    if (!round) return;
    const ack = await send("round:transition", { round_id: round.id, to });
    if (ack) setRound(ack.round, ack.server_time);
  }

  async function timer(action, seconds) {
    if (!round) return;
    const ack = await send("round:timer", { round_id: round.id, action, seconds });
    if (ack) setRound(ack.round, ack.server_time);
  }

  $("timer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const minutes = Number($("timer-minutes").value);
    if (!Number.isFinite(minutes) || minutes <= 0) { showError({ message: tr("Indiquez une durée en minutes.") }); return; }
    timer("start", Math.round(minutes * 60));
  });
  // What the timer does at zero, for this round: a radio change is sent at once.
  $("timer-at-zero").addEventListener("change", async (event) => {
    if (!round || event.target.name !== "at_zero") return;
    const ack = await send("round:at_zero", { round_id: round.id, at_zero: event.target.value });
    if (ack) setRound(ack.round, ack.server_time);
  });
  $("timer-pause").addEventListener("click", () => timer("pause"));
  $("timer-resume").addEventListener("click", () => timer("resume"));
  $("timer-add-1").addEventListener("click", () => timer("add", 60));
  $("timer-add-5").addEventListener("click", () => timer("add", 300));
  $("round-new").addEventListener("click", async () => {
    const ack = await send("round:create", {});
    if (ack) setRound(ack.round, ack.server_time);
  });

  // ---- projector & categories ---------------------------------------------------------
  function renderProjector() {
    for (const b of document.querySelectorAll("#projector-modes [data-mode]")) {
      b.setAttribute("aria-pressed", b.dataset.mode === projector.mode ? "true" : "false");
    }
    const focused = projector.mode === "card" ? dataOf(projector.focus_id) : null;
    $("projector-current").textContent = focused
      ? tr("Carte projetée : « {titre} »", { titre: focused.titre })
      : tr("Une carte s’agrandit avec son bouton « Projeter ».");
    decorateAll();
  }
  for (const b of document.querySelectorAll("#projector-modes [data-mode]")) {
    b.addEventListener("click", async () => {
      const ack = await send("projector:mode", { mode: b.dataset.mode });
      if (ack) { projector = ack.projector; renderProjector(); }
    });
  }

  function renderCategories() {
    $("category-list").replaceChildren(...[...categories.values()].map((name) => el("li", "", name)));
    decorateAll();
  }
  $("category-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("category-name");
    const ack = await send("category:create", { name: input.value });
    if (ack) {
      categories.set(String(ack.category.id), ack.category.name);
      input.value = "";
      renderCategories();
    }
  });


  // ---- the assistant: duplicates and themes proposed, the facilitator decides -----------
  // The server sends the whole list each time (assistant:proposals, console room only);
  // a proposal decided here is left out at once, before the next list confirms it.
  let proposals = { duplicates: [], themes: [] };
  const decided = new Set();
  const themeNames = new Map(); // key → the name the facilitator typed, kept across lists
  const MAX_SHOWN = 5;

  function cardList(titres) {
    const list = el("ul", "assistant__cards");
    for (const titre of titres.slice(0, MAX_SHOWN)) list.append(el("li", "", `« ${titre} »`));
    if (titres.length > MAX_SHOWN) {
      list.append(el("li", "assistant__more", tr("et {n} autres", { n: titres.length - MAX_SHOWN })));
    }
    return list;
  }

  async function decide(proposal, accept, extra = {}) {
    const ack = await send(accept ? "assistant:accept" : "assistant:dismiss", { key: proposal.key, ...extra });
    if (!ack) return;
    decided.add(proposal.key);
    if (ack.category) {
      categories.set(String(ack.category.id), ack.category.name);
      renderCategories();
    }
    if (ack.contribution) cards.add(ack.contribution, { highlight: false });
    renderAssistant();
  }

  function duplicateItem(p) {
    const item = el("li", "assistant__item");
    item.dataset.key = p.key;
    item.append(el("p", "assistant__question", tr("Ces deux cartes disent la même chose ?")), cardList(p.titres));
    const actions = el("p", "console__actions");
    actions.append(
      button(tr("Fusionner"), () => decide(p, true), "button button--small"),
      button(tr("Ignorer"), () => decide(p, false)),
    );
    item.append(actions);
    return item;
  }

  function themeItem(p) {
    const item = el("li", "assistant__item");
    item.dataset.key = p.key;
    const label = el("label", "assistant__name", tr("Catégorie"));
    const name = el("input", "field__input field__input--small");
    name.maxLength = 80;
    name.value = themeNames.get(p.key) || p.label;
    name.addEventListener("input", () => themeNames.set(p.key, name.value));
    label.append(name);
    item.append(label, el("p", "assistant__question", tr("{n} cartes", { n: p.ids.length })), cardList(p.titres));
    const actions = el("p", "console__actions");
    actions.append(
      button(tr("Créer la catégorie"), () => decide(p, true, { name: name.value, card_ids: p.ids }), "button button--small"),
      button(tr("Ignorer"), () => decide(p, false)),
    );
    item.append(actions);
    return item;
  }

  function renderAssistant() {
    const dups = (proposals.duplicates || []).filter((p) => !decided.has(p.key));
    const themes = (proposals.themes || []).filter((p) => !decided.has(p.key));
    const focused = document.activeElement && document.activeElement.closest("#assistant-themes [data-key]");
    const keep = focused ? focused.dataset.key : null;
    $("assistant-duplicates").replaceChildren(...dups.map(duplicateItem));
    // The theme being renamed stays as it is (focus and caret) while the list refreshes.
    const themeList = $("assistant-themes");
    const kept = keep ? themeList.querySelector(`[data-key="${CSS.escape(keep)}"]`) : null;
    themeList.replaceChildren(...themes.map((p) => (kept && p.key === keep ? kept : themeItem(p))));
    $("assistant-duplicates-empty").hidden = dups.length > 0;
    $("assistant-themes-empty").hidden = themes.length > 0;
    const n = dups.length + themes.length;
    $("assistant-count").textContent = n ? ` (${n})` : "";
  }

  // ---- connection ---------------------------------------------------------------------
  live = connectPage(root, {
    joinEvent: "console:join",
    deltas: {
      "round:changed": (msg) => setRound(msg.round, msg.server_time),
      "contribution:updated": (msg) => cards.add(msg.contribution, { highlight: false }),
      "moderation:card": (msg) => cards.add(msg.contribution, { highlight: false }),
      "contribution:removed": (msg) => { if (msg.reason !== "hidden") cards.remove(msg.id); },
      "category:created": (msg) => { categories.set(String(msg.category.id), msg.category.name); renderCategories(); },
      "projector:mode": (msg) => { projector = msg.projector || projector; renderProjector(); },
      "assistant:proposals": (msg) => { proposals = msg; renderAssistant(); },
      ...approval.deltas,
      ...photoDeltas(cards), // a card's photo on it; a hidden one stays, faded (issue 19.3)
    },
    onSnapshot(snap) {
      categories = new Map((snap.categories || []).map((c) => [String(c.id), c.name]));
      projector = snap.projector || projector;
      cards.replace(snap.contributions || []);
      approval.snapshot(snap);
      setRound(snap.round, snap.server_time);
      renderCategories();
      renderProjector();
    },
    onCreated(c) { cards.add(c); },
    onPresence(n) { $("presence").textContent = n <= 1 ? tr("{n} personne connectée", { n }) : tr("{n} personnes connectées", { n }); },
    // A refused action is shown once, by whoever sent it, from its ack: the console's own
    // actions in the box above, the vote panel's next to its buttons (votes_console.js). The server
    // also sends each refusal as `app:error` (for clients without an ack): every event of
    // this page has an ack, so that copy is shown only when it is not a sent action's (a
    // refused join or connection).
    onError(err) {
      if (err && typeof err.event === "string" && err.event !== "atelier:join") return;
      showError(err);
    },
  });
  listenAnnouncements(live.socket, { closable: true });
  approval.attach(live.socket, atelierId);
}

const root = document.getElementById("console");
if (root) init(root);
