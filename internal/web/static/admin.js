// Admin pages' progressive enhancement: confirmations, the form builder's
// live preview and drag-and-drop ordering, copying a new API token. Every
// form works without this file.
"use strict";
(function () {
  document.documentElement.classList.add("admin-js");

  // Ask before destructive posts.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });

  // After a refused save, start at the first field that needs fixing.
  var invalid = document.querySelector('#main [aria-invalid="true"]');
  if (invalid) invalid.focus();

  function csrf() {
    var main = document.getElementById("main");
    return main ? main.getAttribute("data-csrf") || "" : "";
  }

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) n.textContent = text;
    return n;
  }

  // --- Form builder: live preview of the field being added or edited ---
  var fieldForm = document.querySelector(".admin-field-form");
  var preview = document.getElementById("admin-preview");
  if (fieldForm && preview) {
    var was = fieldForm.getAttribute("data-preview-for") || "";
    var q = function (name) { return fieldForm.elements[name]; };
    var options = fieldForm.querySelector(".admin-options");
    var keyTouched = was !== "" || q("key").value !== "";

    var render = function () {
      var type = q("type").value;
      var isSelect = type === "select" || type === "multi_select";
      if (options) options.classList.toggle("admin-hidden", !isSelect && q("options").value.trim() === "");
      var label = q("label").value.trim() || "(no label yet)";
      var required = q("required").checked;
      var help = q("help").value.trim();
      var opts = q("options").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);

      var box = el("div", { "class": "admin-preview-field admin-live", "data-key": was || "admin-new" });
      var caption = el("span", required ? { "class": "required" } : null, label);
      var helpEl = help ? el("span", { "class": "help" }, help) : null;
      if (type === "checkbox") {
        var l = el("label");
        l.appendChild(el("input", { type: "checkbox", disabled: "" }));
        l.appendChild(document.createTextNode(" "));
        l.appendChild(caption);
        if (helpEl) l.appendChild(helpEl);
        box.appendChild(l);
      } else if (type === "multi_select") {
        var fs = el("fieldset");
        var lg = el("legend", required ? { "class": "required" } : null, label);
        fs.appendChild(lg);
        if (helpEl) fs.appendChild(helpEl);
        opts.forEach(function (o) {
          var ol = el("label", { "class": "check" });
          ol.appendChild(el("input", { type: "checkbox", disabled: "" }));
          ol.appendChild(document.createTextNode(" " + o));
          fs.appendChild(ol);
        });
        box.appendChild(fs);
      } else {
        var wrap = el("label");
        wrap.appendChild(caption);
        if (helpEl) wrap.appendChild(helpEl);
        var input;
        if (type === "long_text") input = el("textarea", { rows: "3", disabled: "" });
        else if (type === "select") {
          input = el("select", { disabled: "" });
          input.appendChild(el("option", null, "Choose…"));
          opts.forEach(function (o) { input.appendChild(el("option", null, o)); });
        } else if (type === "number") input = el("input", { type: "number", disabled: "" });
        else if (type === "date") input = el("input", { type: "date", disabled: "" });
        else if (type === "user") input = el("input", { type: "text", disabled: "", placeholder: "Name or email of a person" });
        else input = el("input", { type: "text", disabled: "" });
        wrap.appendChild(input);
        box.appendChild(wrap);
      }

      var old = null;
      preview.querySelectorAll(".admin-preview-field").forEach(function (n) {
        if (n.getAttribute("data-key") === (was || "admin-new")) old = n;
      });
      var empty = preview.querySelector(".admin-preview-empty");
      if (empty) empty.remove();
      if (old) old.replaceWith(box);
      else preview.appendChild(box);
    };

    // A new field's key follows its label until the key is typed in.
    q("key").addEventListener("input", function () { keyTouched = true; });
    q("label").addEventListener("input", function () {
      if (keyTouched) return;
      var key = q("label").value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-z0-9]+/g, "_").replace(/^[^a-z]+/, "").replace(/_+$/, "").slice(0, 63);
      q("key").value = key;
    });
    fieldForm.addEventListener("input", render);
    fieldForm.addEventListener("change", render);
    if (was !== "" || q("label").value !== "") render();
    else if (options) options.classList.toggle("admin-hidden", !/select/.test(q("type").value));
  }

  // --- Form builder: drag rows to reorder, then post the new order ---
  var table = document.querySelector("table.admin-fields[data-order-action]");
  if (table) {
    var tbody = table.tBodies[0];
    var dragged = null;
    var clearMarks = function () {
      tbody.querySelectorAll("tr").forEach(function (tr) { tr.classList.remove("admin-drop-before", "admin-drop-after"); });
    };
    var after = function (tr, e) {
      var r = tr.getBoundingClientRect();
      return e.clientY > r.top + r.height / 2;
    };
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      tr.setAttribute("draggable", "true");
      tr.addEventListener("dragstart", function (e) {
        dragged = tr;
        tr.classList.add("admin-dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", tr.getAttribute("data-key"));
      });
      tr.addEventListener("dragend", function () {
        tr.classList.remove("admin-dragging");
        clearMarks();
      });
      tr.addEventListener("dragover", function (e) {
        if (!dragged || dragged === tr) return;
        e.preventDefault();
        clearMarks();
        tr.classList.add(after(tr, e) ? "admin-drop-after" : "admin-drop-before");
      });
      tr.addEventListener("drop", function (e) {
        if (!dragged || dragged === tr) return;
        e.preventDefault();
        clearMarks();
        tbody.insertBefore(dragged, after(tr, e) ? tr.nextSibling : tr);
        var form = el("form", { method: "post", action: table.getAttribute("data-order-action") });
        form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrf() }));
        Array.prototype.forEach.call(tbody.rows, function (row) {
          form.appendChild(el("input", { type: "hidden", name: "order", value: row.getAttribute("data-key") }));
        });
        document.body.appendChild(form);
        form.submit();
      });
    });
  }

  // --- API tokens: select and copy a new secret ---
  var secret = document.querySelector(".admin-secret-value");
  if (secret) {
    secret.addEventListener("focus", function () { secret.select(); });
    secret.focus();
    if (navigator.clipboard) {
      var btn = el("button", { type: "button", "class": "secondary small admin-copy" }, "Copy to clipboard");
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(secret.value).then(function () { btn.textContent = "Copied"; },
          function () { btn.textContent = "Copy failed: select the text and copy it"; });
      });
      secret.insertAdjacentElement("afterend", btn);
    }
  }
})();
