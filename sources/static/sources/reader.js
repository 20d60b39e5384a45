/*
 * Source reader: show the claims behind a highlighted span, cite a selection, and
 * accept a suggested mention of a known entity (the same request as citing a selection),
 * create a person, organisation, name or sanction action from a selection, and work
 * through the checklist of one's uncited claims. Nothing reloads the page: after each
 * save the server's answer carries the article part drawn anew (sources/provenance.py
 * highlighted(), the one drawing of highlights), which replaces the old one.
 *
 * Offsets: JavaScript strings count UTF-16 units (a character outside the BMP, such as
 * an emoji or 𝔘, is two), the database counts code points. This script sends UTF-16
 * offsets into the article's text plus the selected words; the server converts the
 * offsets, checks the words against its own copy of the text and refuses a mismatch.
 * The #article element holds nothing but the text, so its textContent is that text.
 */
(function () {
  "use strict";

  function init() {
    var article = document.getElementById("article");
    if (!article) return;
    var dataNode = document.getElementById("citation-data");
    var citations = dataNode ? JSON.parse(dataNode.textContent) : {};
    var popover = document.getElementById("claims-popover");
    var panel = document.getElementById("cite-panel");
    var text = article.textContent;
    // A long article is shown part by part: offsets sent and shown are the article's.
    var partStart = Number(article.getAttribute("data-start") || 0);
    var partStartUtf16 = Number(article.getAttribute("data-utf16-start") || 0);

    // ------------------------------------------------------------ helpers

    function el(tag, attrs, children) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "className") node.className = attrs[key];
        else node.setAttribute(key, attrs[key]);
      });
      (children || []).forEach(function (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      });
      return node;
    }

    function codePoints(s) {
      return Array.from(s).length;
    }

    // Below rect, inside the window's width (the box is shown first, to be measured).
    function placeNear(box, rect) {
      box.hidden = false;
      // Within the article's column when it is wide enough: the panels beside it (the
      // mentions to accept, the checklist) stay in reach while the box is open.
      var right = document.documentElement.clientWidth;
      var column = article.getBoundingClientRect();
      if (column.width >= box.offsetWidth + 16) right = Math.min(right, column.right);
      var room = right - box.offsetWidth - 8;
      box.style.left = window.scrollX + Math.max(8, Math.min(rect.left, room)) + "px";
      box.style.top = window.scrollY + rect.bottom + 6 + "px";
    }

    function truncate(s, n) {
      var chars = Array.from(s);
      return chars.length > n ? chars.slice(0, n - 1).join("") + "…" : s;
    }

    // ------------------------------------------- claims behind a highlighted span

    var pinned = false;

    function spanIds(span) {
      return (span.getAttribute("data-citations") || "").split(" ").filter(Boolean);
    }

    function markActive(ids) {
      article.querySelectorAll(".cite.active").forEach(function (s) { s.classList.remove("active"); });
      if (!ids.length) return;
      article.querySelectorAll(".cite").forEach(function (s) {
        if (spanIds(s).some(function (id) { return ids.indexOf(id) !== -1; })) s.classList.add("active");
      });
    }

    function claimItem(claim) {
      var links = [];
      if (claim.admin_url) links.push(el("a", { href: claim.admin_url, text: "edit" }));
      if (claim.trace_url) links.push(el("a", { href: claim.trace_url, text: "trace" }));
      var parts = [el("span", { className: claim.deprecated ? "deprecated" : "", text: claim.type + ": " + claim.label })];
      links.forEach(function (a) { parts.push(" · "); parts.push(a); });
      return el("li", { "data-kind": claim.kind }, parts);
    }

    function showClaims(span) {
      var ids = spanIds(span);
      popover.replaceChildren();
      ids.forEach(function (id) {
        var c = citations[id];
        if (!c) return;
        var head = el("p", {}, [
          el("q", { text: truncate(c.quote, 140) }),
          " ",
          el("small", { text: "characters " + c.start + "–" + c.end }),
        ]);
        if (c.admin_url) { head.appendChild(document.createTextNode(" ")); head.appendChild(el("a", { href: c.admin_url, text: "citation" })); }
        popover.appendChild(head);
        if (c.translation) popover.appendChild(el("p", { className: "help", text: "“" + c.translation + "”" }));
        popover.appendChild(c.claims.length
          ? el("ul", {}, c.claims.map(claimItem))
          : el("p", { className: "help", text: "No claim cites this yet." }));
      });
      placeNear(popover, span.getBoundingClientRect());
      popover.hidden = false;
      markActive(ids);
    }

    function hideClaims() {
      popover.hidden = true;
      pinned = false;
      markActive([]);
    }

    // While the mouse button is down the curator is selecting: the popover must not open
    // under the pointer (a drag that starts on a cited span would run into it, and the
    // selection would end in the popover's text instead of the article's).
    var selecting = false;
    article.addEventListener("mousedown", function (event) {
      if (event.button !== 0) return;
      selecting = true;
      document.body.classList.add("reader-selecting");
      hideClaims();
    });
    document.addEventListener("mouseup", function () {
      selecting = false;
      document.body.classList.remove("reader-selecting");
    }, true);

    article.addEventListener("mouseover", function (event) {
      var span = event.target.closest(".cite");
      if (selecting || event.buttons & 1) return;
      if (span && !pinned && (!panel || panel.hidden)) showClaims(span);
    });
    article.addEventListener("click", function (event) {
      var span = event.target.closest(".cite");
      if (span && window.getSelection().isCollapsed) { showClaims(span); pinned = true; }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hideClaims(); if (panel) closePanel(); }
    });
    document.addEventListener("mousedown", function (event) {
      if (!popover.hidden && !popover.contains(event.target) && !event.target.closest(".cite")) hideClaims();
    });

    // ------------------------------------------- mentions of known entities

    var mentionPanel = document.getElementById("mention-panel");

    function markMention(number) {
      article.querySelectorAll(".mention").forEach(function (s) {
        var numbers = (s.getAttribute("data-mentions") || "").split(" ");
        s.classList.toggle("mention-active", number !== null && numbers.indexOf(number) !== -1);
      });
    }

    if (mentionPanel) {
      mentionPanel.addEventListener("mouseover", function (event) {
        var item = event.target.closest(".mention-item");
        markMention(item ? item.getAttribute("data-mention") : null);
      });
      mentionPanel.addEventListener("mouseleave", function () { markMention(null); });
      // A click on a marked mention (not a citation: that shows its claims) shows its entry.
      article.addEventListener("click", function (event) {
        var span = event.target.closest(".mention");
        if (!span || span.classList.contains("cite") || !window.getSelection().isCollapsed) return;
        var item = document.getElementById("mention-" + span.getAttribute("data-mentions").split(" ")[0]);
        if (!item) return;
        item.scrollIntoView({ block: "nearest" });
        item.classList.add("flash");
        setTimeout(function () { item.classList.remove("flash"); }, 1500);
      });
    }

    // --------------------------------------------------------------- citing

    if (!panel) return;
    if (text.length !== Number(article.getAttribute("data-utf16-length"))) {
      // The browser changed the text while parsing it: offsets would be wrong.
      document.querySelectorAll(".mention-accept").forEach(function (b) { b.remove(); });
      panel.remove();
      panel = null;
      article.before(el("p", { className: "errornote", text: "This browser altered the article text; citing is off on this page." }));
      return;
    }

    var form = panel;
    var field = function (name) { return form.elements.namedItem(name); };
    var errorBox = form.querySelector(".cite-error");
    var successBox = form.querySelector(".cite-success");
    var recordList = form.querySelector(".cite-records");
    var claimBox = form.querySelector(".cite-claims");
    var chosenLine = form.querySelector(".cite-chosen");
    var searchBox = form.querySelector(".cite-search");
    var saveButton = form.querySelector(".cite-save");
    var candidateBox = form.querySelector(".create-candidates");
    var nameButton = form.querySelector(".create-name");
    var statusLine = document.getElementById("reader-status");
    var checklistNode = document.getElementById("checklist");
    var checklistDataNode = document.getElementById("checklist-data");
    var checklistData = checklistDataNode ? JSON.parse(checklistDataNode.textContent) : [];
    var hasSelection = false;
    var currentRecord = null;
    var chosen = new Map(); // claim value posted -> "record: claim" as the panel names it

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      successBox.hidden = true;
    }

    function showSuccess(message) {
      successBox.textContent = message;
      successBox.hidden = false;
      errorBox.hidden = true;
      showStatus(message);
    }

    function showStatus(message) {
      if (!statusLine) return;
      statusLine.textContent = message;
      statusLine.hidden = false;
    }

    function clearMessages() {
      errorBox.hidden = true;
      successBox.hidden = true;
      if (candidateBox) { candidateBox.hidden = true; candidateBox.replaceChildren(); }
    }

    function openPanel(rect) {
      hideClaims();
      placeNear(form, rect);
      form.hidden = false;
      searchBox.focus({ preventScroll: true });
    }

    function closePanel() {
      form.hidden = true;
      clearMessages();
    }

    function utf16Offset(node, offset) {
      var range = document.createRange();
      range.setStart(article, 0);
      range.setEnd(node, offset);
      return range.toString().length;
    }

    function noSelection(message) {
      hasSelection = false;
      if (!form.querySelector(".cite-quote").textContent) form.querySelector(".cite-quote").textContent = "…";
      saveButton.disabled = true;
      form.querySelector(".cite-offsets").textContent = "";
      showError(message);
    }

    function onSelection(event) {
      if (event && (form.contains(event.target) || (mentionPanel && mentionPanel.contains(event.target)) ||
                    (checklistNode && checklistNode.contains(event.target)))) return;
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) return;
      var range = selection.getRangeAt(0);
      var startIn = article.contains(range.startContainer);
      var endIn = article.contains(range.endContainer);
      if (!startIn && !endIn && !range.intersectsNode(article)) return; // elsewhere on the page
      clearMessages();
      openPanel(range.getBoundingClientRect());
      if (!startIn || !endIn) {
        form.querySelector(".cite-quote").textContent = "";
        noSelection("The selection goes beyond the article text: select words inside the article only.");
        return;
      }
      var start = utf16Offset(range.startContainer, range.startOffset);
      var end = utf16Offset(range.endContainer, range.endOffset);
      // Blank space at either end is never part of what a quote states.
      while (start < end && /\s/.test(text[start])) start++;
      while (end > start && /\s/.test(text[end - 1])) end--;
      var quote = text.slice(start, end);
      form.querySelector(".cite-quote").textContent = truncate(quote, 120);
      if (!quote) { noSelection("The selection is empty: select the words that state the claim."); return; }
      hasSelection = true;
      saveButton.disabled = false;
      field("start_utf16").value = partStartUtf16 + start;
      field("end_utf16").value = partStartUtf16 + end;
      field("quote").value = quote;
      var cpStart = partStart + codePoints(text.slice(0, start));
      form.querySelector(".cite-offsets").textContent =
        "(characters " + cpStart + "–" + (cpStart + codePoints(quote)) + ")";
      if (!recordList.childElementCount) search("");
      guessKind(quote);
    }

    document.addEventListener("mouseup", onSelection);
    document.addEventListener("keyup", function (event) {
      if (event.shiftKey || event.key === "Shift") onSelection(event);
    });
    form.querySelector(".cite-cancel").addEventListener("click", closePanel);

    // ----------------------------------------------- records and their claims

    var searchTimer = null;
    var searchSeq = 0;

    function updateChosen() {
      var n = chosen.size;
      saveButton.textContent = n > 1 ? "Save citation for " + n + " claims" : "Save citation";
      chosenLine.hidden = !n;
      chosenLine.textContent = n ? "Backs: " + Array.from(chosen.values()).join(" · ") : "";
    }

    function showClaimsOf(record) {
      var boxes = [el("legend", {}, ["Claims these words back ", el("small", { text: "(tick one or more)" })])];
      if (!record) boxes.push(el("p", { className: "help cite-claims-empty", text: "Choose a record first." }));
      (record ? record.claims : []).forEach(function (claim) {
        var value = String(claim.id);
        var box = el("input", { type: "checkbox", name: "claim", value: value });
        box.checked = chosen.has(value);
        if (claim.deprecated) box.disabled = true;
        box.addEventListener("change", function () {
          if (box.checked) chosen.set(value, claim.type + " " + claim.label);
          else chosen.delete(value);
          updateChosen();
        });
        var text = claim.type + ": " + claim.label + (claim.deprecated ? " (deprecated)" : "");
        boxes.push(el("label", { className: "cite-claim" }, [box, " ", text]));
      });
      claimBox.replaceChildren.apply(claimBox, boxes);
    }

    function chooseRecord(record, button) {
      recordList.querySelectorAll("button.chosen").forEach(function (b) { b.classList.remove("chosen"); });
      if (button) button.classList.add("chosen");
      currentRecord = record;
      showClaimsOf(record);
      if (nameButton) {
        var entity = record && record.type === "entity";
        nameButton.disabled = !entity;
        nameButton.textContent = entity ? "Add as a name of " + record.label : "Add as a name of …";
      }
    }

    // The entities the panel has listed or created: what a new sanction action may target.
    var targetBox = form.querySelector(".action-targets");
    var targetable = new Map();

    function offerTargets(records) {
      if (!targetBox) return;
      records.forEach(function (record) { if (record.type === "entity") targetable.set(String(record.pk), record); });
      var ticked = new Set(Array.from(targetBox.querySelectorAll("input:checked")).map(function (b) { return b.value; }));
      var boxes = [targetBox.querySelector("legend")];
      targetable.forEach(function (record, pk) {
        var box = el("input", { type: "checkbox", className: "action-target", value: pk });
        box.checked = ticked.has(pk);
        boxes.push(el("label", {}, [box, " " + record.label]));
      });
      if (boxes.length === 1) boxes.push(el("p", { className: "help", text: "Find or create the targeted entities first." }));
      targetBox.replaceChildren.apply(targetBox, boxes);
    }

    function recordButton(record) {
      var button = el("button", { type: "button", text: record.kind + ": " + record.label, "data-record": record.type + ":" + record.pk });
      button.addEventListener("click", function () { chooseRecord(record, button); });
      return button;
    }

    function showRecords(data) {
      recordList.replaceChildren();
      if (!data.records.length) {
        recordList.appendChild(el("li", { className: "help", text: data.query ? "No record matches." : "Type to find a record." }));
        return;
      }
      data.records.forEach(function (record) { recordList.appendChild(el("li", {}, [recordButton(record)])); });
      offerTargets(data.records);
    }

    // A record just created or picked from the checklist: first in the list, chosen.
    function putRecord(record) {
      var key = record.type + ":" + record.pk;
      Array.from(recordList.querySelectorAll("li")).forEach(function (li) {
        var shown = li.querySelector("button");
        if (!shown || shown.getAttribute("data-record") === key) li.remove(); // a hint, or the record's older state
      });
      var button = recordButton(record);
      recordList.prepend(el("li", {}, [button]));
      offerTargets([record]);
      chooseRecord(record, button);
    }

    function search(q) {
      var seq = ++searchSeq;
      var url = form.getAttribute("data-claims-url") + "?q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("search failed (" + response.status + ")");
          return response.json();
        })
        .then(function (data) { if (seq === searchSeq) showRecords(data); })
        .catch(function (error) { showError("Could not search records: " + error.message); });
    }

    searchBox.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { search(searchBox.value.trim()); }, 250);
    });

    // Keyboard: arrows move through the search box, the records (choosing each) and the
    // claims; Space ticks a claim (the checkbox's own key); Enter saves.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      var movable = ".cite-search, .cite-records button, .cite-claims input";
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && target.matches(movable)) {
        event.preventDefault();
        var items = Array.from(form.querySelectorAll(".cite-search, .cite-records button, .cite-claims input:not(:disabled)"));
        var at = items.indexOf(target) + (event.key === "ArrowDown" ? 1 : -1);
        var next = items[Math.max(0, Math.min(items.length - 1, at))];
        if (next && next !== target) {
          next.focus();
          if (next.matches(".cite-records button")) next.click();
        }
      } else if (event.key === "Enter") {
        if (target.matches(".cite-records button")) {
          event.preventDefault();
          target.click();
          var first = claimBox.querySelector("input:not(:disabled)");
          if (first) first.focus();
        } else if (target.matches(".cite-search")) {
          event.preventDefault();
          clearTimeout(searchTimer);
          if (chosen.size) save(); else search(searchBox.value.trim());
        } else if (target.matches(".cite-claims input")) {
          event.preventDefault();
          save();
        }
      }
    });

    // ----------------------------------------------------------- saving

    // POST to one of the reader's JSON views: {ok, data} with its JSON answer.
    function post(url, body) {
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": field("csrfmiddlewaretoken").value },
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("Your session may have expired: reload the page and log in again.");
        }
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      });
    }

    function selectionBody() {
      var body = new FormData();
      ["csrfmiddlewaretoken", "start_utf16", "end_utf16", "quote", "text_sha256", "translation"].forEach(function (name) {
        var input = field(name);
        if (input) body.append(name, input.value);
      });
      body.append("part", article.getAttribute("data-part") || "1");
      return body;
    }

    function fromHtml(html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      return template.content.firstElementChild;
    }

    // Draw what the server drew after a cite: the article's highlights (the same text,
    // so offsets hold), its citations, the mentions and the checklist. No page load.
    function applyView(view) {
      if (!view) return;
      article.innerHTML = view.article;
      if (article.textContent !== text) { window.location.reload(); return; } // never measure a changed text
      citations = view.citations;
      if (mentionPanel) mentionPanel.replaceChildren.apply(mentionPanel, Array.from(fromHtml(view.mentions_html).childNodes));
      if (checklistNode) checklistNode.replaceChildren.apply(checklistNode, Array.from(fromHtml(view.checklist_html).childNodes));
      checklistData = view.checklist || [];
    }

    function saved(data) {
      showSuccess(data.message);
      form.setAttribute("data-saved-citation", String(data.citation.id));
      chosen.clear();
      updateChosen();
      showClaimsOf(currentRecord);
      applyView(data.view);
    }

    function save() {
      clearMessages();
      if (!hasSelection) { showError("quote: Select the words that state the claim first."); return; }
      if (!chosen.size) { showError("claim: Choose the claim this quote backs."); return; }
      if (saveButton.disabled) return;
      saveButton.disabled = true;
      var body = selectionBody();
      chosen.forEach(function (label, value) { body.append("claim", value); });
      post(form.action, body)
        .then(function (result) {
          saveButton.disabled = false;
          if (!result.ok) { showError(result.data.message || "The citation was not saved."); return; }
          if (currentRecord) {
            // the claims now backed show in the record as the server has them
            result.data.claims.forEach(function (claim) {
              currentRecord.claims.forEach(function (c, i) { if (c.id === claim.id) currentRecord.claims[i] = claim; });
            });
          }
          saved(result.data);
        })
        .catch(function (error) { showError(error.message); saveButton.disabled = false; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });

    // -------------------------------------------------- creating from the selection

    var actionField = function (name) { return form.querySelector(".action-" + name); };

    function guessKind(words) {
      var url = form.getAttribute("data-selection-url");
      if (!url || !form.querySelector(".create-buttons")) return;
      fetch(url + "?words=" + encodeURIComponent(words), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || data.words !== words.split(/\s+/).filter(Boolean).join(" ")) return;
          form.querySelectorAll(".create-button[data-what]").forEach(function (b) {
            b.classList.toggle("guessed", b.getAttribute("data-what") === data.kind);
          });
          if (data.candidates.length) showCandidates(data.kind, data.candidates);
        })
        .catch(function () { /* the guess is a convenience: the buttons work without it */ });
    }

    function showCandidates(what, candidates) {
      var items = candidates.map(function (c) {
        var instead = el("button", { type: "button", text: "Add as a name of " + c.label + " instead" });
        instead.addEventListener("click", function () { putRecord(c); create("name"); });
        return el("li", {}, [
          el("span", { text: c.label + " — " + c.kind + ", name “" + c.name + "”, score " + Number(c.score).toFixed(2) + " " }),
          instead,
        ]);
      });
      var anyway = el("button", { type: "button", className: "create-anyway", text: "Create a new " + what + " anyway" });
      anyway.addEventListener("click", function () { create(what, true); });
      candidateBox.replaceChildren(el("p", { text: "Already recorded? Nothing is created until you choose:" }), el("ul", {}, items), anyway);
      candidateBox.hidden = false;
    }

    function create(what, confirmed) {
      clearMessages();
      if (!hasSelection) { showError("quote: Select the words first."); return; }
      var body = selectionBody();
      body.append("what", what);
      if (what === "name") {
        if (!currentRecord || currentRecord.type !== "entity") { showError("entity: Choose the entity these words name."); return; }
        body.append("entity", String(currentRecord.pk));
      }
      if (what === "sanctionaction") {
        ["authority", "kind", "status", "summary"].forEach(function (name) { body.append(name, actionField(name).value); });
        form.querySelectorAll(".action-target:checked, .action-measure:checked").forEach(function (box) {
          body.append(box.classList.contains("action-target") ? "targets" : "measures", box.value);
        });
      }
      if (confirmed) body.append("confirm_new", "1");
      post(form.getAttribute("data-create-url"), body)
        .then(function (result) {
          if (!result.ok) {
            // Likely duplicates: the candidates ask the question, nothing was created.
            if (result.data.candidates) showCandidates(what, result.data.candidates);
            else showError(result.data.message || "Nothing was created.");
            return;
          }
          putRecord(result.data.record);
          saved(result.data);
        })
        .catch(function (error) { showError(error.message); });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest(".create-button");
      if (button) create(button.getAttribute("data-what"), false);
    });

    // ------------------------------------------------------------- the checklist

    // An entry of the checklist preselects its claim: its record is chosen in the panel
    // and the claim ticked; the words that state it are selected next.
    document.addEventListener("click", function (event) {
      var entry = event.target.closest(".checklist-entry");
      if (!entry) return;
      var record = checklistData[Number(entry.getAttribute("data-record"))];
      if (!record) return;
      var value = entry.getAttribute("data-claim");
      var claim = record.claims.filter(function (c) { return String(c.id) === value; })[0];
      chosen.set(value, claim ? claim.type + " " + claim.label : value);
      putRecord(record);
      updateChosen();
      if (form.hidden) {
        clearMessages();
        openPanel(entry.getBoundingClientRect());
        if (!hasSelection) noSelection("Now select the words of the article that state it.");
      }
    });

    // ------------------------------------------------------------ mentions

    // "Select" beside a likely new entity selects its words (UTF-16 offsets into this
    // part) as a drag would, and opens the panel for them.
    function selectText(start, end) {
      var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
      var range = document.createRange();
      var seen = 0, node;
      while ((node = walker.nextNode())) {
        var length = node.data.length;
        if (seen <= start && start < seen + length) range.setStart(node, start - seen);
        if (seen < end && end <= seen + length) range.setEnd(node, end - seen);
        seen += length;
      }
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      range.startContainer.parentElement.scrollIntoView({ block: "center" });
      onSelection(null);
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest(".new-entity-select");
      if (!button) return;
      selectText(Number(button.getAttribute("data-start-utf16")), Number(button.getAttribute("data-end-utf16")));
    });

    // Accepting a mention posts what the panel would for a selection of its words.
    if (mentionPanel) {
      mentionPanel.addEventListener("click", function (event) {
        var button = event.target.closest(".mention-accept");
        if (!button) return;
        var item = button.closest(".mention-item");
        var status = item.querySelector(".mention-status");
        var body = new FormData();
        body.append("start_utf16", button.getAttribute("data-start-utf16"));
        body.append("end_utf16", button.getAttribute("data-end-utf16"));
        body.append("quote", button.getAttribute("data-quote"));
        body.append("claim", button.getAttribute("data-claim"));
        body.append("text_sha256", field("text_sha256").value);
        body.append("part", article.getAttribute("data-part") || "1");
        button.disabled = true;
        function show(message, failed) {
          status.textContent = message;
          status.classList.toggle("errornote", failed);
          status.hidden = false;
        }
        post(form.action, body)
          .then(function (result) {
            if (!result.ok) { show(result.data.message || "The citation was not saved.", true); button.disabled = false; return; }
            showStatus(result.data.message);
            applyView(result.data.view);
          })
          .catch(function (error) { show(error.message, true); button.disabled = false; });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
