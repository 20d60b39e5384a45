/*
 * Source reader: show the claims behind a highlighted span, cite a selection, and
 * accept a suggested mention of a known entity (the same request as citing a selection).
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

    function placeNear(box, rect) {
      box.style.left = Math.max(8, window.scrollX + rect.left) + "px";
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
    var claimSelect = form.querySelector(".cite-claim");
    var searchBox = form.querySelector(".cite-search");
    var saveButton = form.querySelector(".cite-save");

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      successBox.hidden = true;
    }

    function clearMessages() {
      errorBox.hidden = true;
      successBox.hidden = true;
    }

    function openPanel(rect) {
      hideClaims();
      placeNear(form, rect);
      form.hidden = false;
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

    function onSelection(event) {
      if (event && (form.contains(event.target) || (mentionPanel && mentionPanel.contains(event.target)))) return;
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) return;
      var range = selection.getRangeAt(0);
      var startIn = article.contains(range.startContainer);
      var endIn = article.contains(range.endContainer);
      if (!startIn && !endIn && !range.intersectsNode(article)) return; // elsewhere on the page
      clearMessages();
      openPanel(range.getBoundingClientRect());
      if (!startIn || !endIn) {
        saveButton.disabled = true;
        form.querySelector(".cite-quote").textContent = "";
        form.querySelector(".cite-offsets").textContent = "";
        showError("The selection goes beyond the article text: select words inside the article only.");
        return;
      }
      var start = utf16Offset(range.startContainer, range.startOffset);
      var end = utf16Offset(range.endContainer, range.endOffset);
      // Blank space at either end is never part of what a quote states.
      while (start < end && /\s/.test(text[start])) start++;
      while (end > start && /\s/.test(text[end - 1])) end--;
      var quote = text.slice(start, end);
      form.querySelector(".cite-quote").textContent = truncate(quote, 120);
      if (!quote) {
        saveButton.disabled = true;
        form.querySelector(".cite-offsets").textContent = "";
        showError("The selection is empty: select the words that state the claim.");
        return;
      }
      saveButton.disabled = false;
      field("start_utf16").value = partStartUtf16 + start;
      field("end_utf16").value = partStartUtf16 + end;
      field("quote").value = quote;
      var cpStart = partStart + codePoints(text.slice(0, start));
      form.querySelector(".cite-offsets").textContent =
        "(characters " + cpStart + "–" + (cpStart + codePoints(quote)) + ")";
      if (!recordList.childElementCount) search("");
    }

    document.addEventListener("mouseup", onSelection);
    document.addEventListener("keyup", function (event) {
      if (event.shiftKey || event.key === "Shift") onSelection(event);
    });
    form.querySelector(".cite-cancel").addEventListener("click", closePanel);

    // Records and their claims, from the server.
    var searchTimer = null;
    var searchSeq = 0;

    function chooseRecord(record, button) {
      recordList.querySelectorAll("button.chosen").forEach(function (b) { b.classList.remove("chosen"); });
      button.classList.add("chosen");
      claimSelect.replaceChildren(el("option", { value: "", text: "— choose the claim —" }));
      record.claims.forEach(function (claim) {
        var option = el("option", { value: String(claim.id), text: claim.type + ": " + claim.label });
        if (claim.deprecated) { option.disabled = true; option.textContent += " (deprecated)"; }
        claimSelect.appendChild(option);
      });
    }

    function showRecords(data) {
      recordList.replaceChildren();
      if (!data.records.length) {
        recordList.appendChild(el("li", { className: "help", text: data.query ? "No record matches." : "Type to find a record." }));
        return;
      }
      data.records.forEach(function (record) {
        var button = el("button", { type: "button", text: record.kind + ": " + record.label });
        button.addEventListener("click", function () { chooseRecord(record, button); });
        recordList.appendChild(el("li", {}, [button]));
      });
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
    searchBox.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(searchTimer); search(searchBox.value.trim()); }
    });

    // POST a citation to the cite view: {ok, data} with its JSON answer.
    function postCite(body) {
      return fetch(form.action, {
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

    // Reload so the new highlight is drawn by the server like every other.
    function reloadSoon() { setTimeout(function () { window.location.reload(); }, 900); }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearMessages();
      if (!claimSelect.value) { showError("claim: Choose the claim this quote backs."); return; }
      saveButton.disabled = true;
      postCite(new FormData(form))
        .then(function (result) {
          if (!result.ok) { showError(result.data.message || "The citation was not saved."); saveButton.disabled = false; return; }
          successBox.textContent = result.data.message;
          successBox.hidden = false;
          form.setAttribute("data-saved-citation", String(result.data.citation.id));
          reloadSoon();
        })
        .catch(function (error) { showError(error.message); saveButton.disabled = false; });
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
        button.disabled = true;
        function show(message, failed) {
          status.textContent = message;
          status.classList.toggle("errornote", failed);
          status.hidden = false;
        }
        postCite(body)
          .then(function (result) {
            if (!result.ok) { show(result.data.message || "The citation was not saved.", true); button.disabled = false; return; }
            show(result.data.message, false);
            item.classList.add("accepted");
            reloadSoon();
          })
          .catch(function (error) { show(error.message, true); button.disabled = false; });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
