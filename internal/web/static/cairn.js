// Cairn's progressive enhancement: every page works without this file.
// It is loaded (deferred) on every page, so each feature looks for the
// markup it needs and does nothing when it is absent:
//   - live updates: a container with data-live="<event stream URL>" reloads
//     its data-live-part children (or itself) when the stream says so;
//   - keyboard shortcuts: "/" search, "j"/"k" move through rows, Enter
//     opens, "r" goes to the reply box.
"use strict";

(function () {
  // Live updates

  // dirty reports whether a form holds input the user has not sent yet.
  function dirty(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      switch (el.type) {
        case "hidden": case "submit": case "button": case "reset": case undefined:
          return false;
        case "checkbox": case "radio":
          return el.checked !== el.defaultChecked;
        case "file":
          return el.files && el.files.length > 0;
        case "select-one": case "select-multiple":
          return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return el.value !== el.defaultValue;
    });
  }

  // busy reports whether swapping el would lose the user's work: typing,
  // an unsent form, or a disclosure they opened.
  function busy(el) {
    var active = document.activeElement;
    if (active && active !== document.body && el.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    if (el.querySelector("details[open]")) {
      return true;
    }
    var forms = el.matches("form") ? [el] : el.querySelectorAll("form");
    return Array.prototype.some.call(forms, dirty);
  }

  // focusKey remembers the focused link or button so that it can be found
  // again in the new markup.
  function focusKey(el) {
    var active = document.activeElement;
    if (!active || active === document.body || !el.contains(active)) {
      return null;
    }
    if (active.id) {
      return "#" + CSS.escape(active.id);
    }
    var href = active.getAttribute("href");
    if (href) {
      return 'a[href="' + CSS.escape(href) + '"]';
    }
    return null;
  }

  function swap(el, fresh) {
    if (el.innerHTML === fresh.innerHTML || busy(el)) {
      return false;
    }
    var key = focusKey(el);
    el.innerHTML = fresh.innerHTML;
    if (key) {
      var again = el.querySelector(key);
      if (again) {
        again.focus({ preventScroll: true });
      }
    }
    return true;
  }

  function live(box) {
    var src = box.getAttribute("data-live-src") || location.href;
    var status = box.querySelector("[data-live-status]");
    var loading = false, again = false, timer = 0, stopped = false;

    function refresh() {
      if (document.hidden) {
        again = true; // caught up when the tab is shown again
        return;
      }
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      again = false;
      fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (resp) {
          if (!resp.ok) {
            throw new Error("status " + resp.status);
          }
          return resp.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var next = box.id ? doc.getElementById(box.id) : null;
          if (!next) {
            return;
          }
          var parts = box.querySelectorAll("[data-live-part]");
          if (parts.length === 0) {
            swap(box, next);
          }
          Array.prototype.forEach.call(parts, function (part) {
            var name = part.getAttribute("data-live-part");
            var fresh = next.querySelector('[data-live-part="' + CSS.escape(name) + '"]');
            if (fresh && swap(part, fresh)) {
              part.classList.remove("live-updated");
              void part.offsetWidth; // restart the highlight
              part.classList.add("live-updated");
            }
          });
          document.dispatchEvent(new CustomEvent("cairn:updated", { detail: { box: box } }));
        })
        .catch(function () {
          // A page that is gone or forbidden now stops listening.
          stop();
        })
        .then(function () {
          loading = false;
          if (again && !stopped) {
            timer = setTimeout(refresh, 1000);
          }
        });
    }

    var source = new EventSource(box.getAttribute("data-live"));
    function stop() {
      stopped = true;
      source.close();
      if (status) {
        status.classList.add("offline");
        status.textContent = "Not live";
      }
    }
    source.addEventListener("open", function () {
      if (status) {
        status.hidden = false;
        status.classList.remove("offline");
        status.textContent = "Live";
      }
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        stop();
      } else if (status) {
        status.classList.add("offline");
        status.textContent = "Reconnecting…";
      }
    });
    source.addEventListener("change", function () {
      // Changes often come in bursts (a transition with a comment): wait a
      // moment and load the page once.
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && again && !stopped) {
        refresh();
      }
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  if (window.EventSource && window.fetch && window.DOMParser) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), live);
  }

  // Keyboard shortcuts

  var current = null; // key of the row j/k selected, kept across live updates

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-rows] tbody tr[data-key]"));
  }

  function select(row) {
    rows().forEach(function (r) { r.classList.toggle("current", r === row); });
    if (!row) {
      return;
    }
    current = row.getAttribute("data-key");
    var link = row.querySelector("a[data-row-link]") || row.querySelector("a");
    if (link) {
      link.focus({ preventScroll: true });
    }
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (all.length === 0) {
      return;
    }
    var at = all.findIndex(function (r) { return r.getAttribute("data-key") === current; });
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  document.addEventListener("cairn:updated", function () {
    if (current) {
      var row = rows().find(function (r) { return r.getAttribute("data-key") === current; });
      if (row) {
        row.classList.add("current");
      }
    }
  });

  // Clicking or tabbing into a row makes it the current one.
  document.addEventListener("focusin", function (e) {
    var row = e.target.closest && e.target.closest("table[data-rows] tbody tr[data-key]");
    if (row) {
      rows().forEach(function (r) { r.classList.toggle("current", r === row); });
      current = row.getAttribute("data-key");
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    var t = e.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) {
      if (e.key === "Escape") {
        t.blur();
      }
      return;
    }
    var el;
    switch (e.key) {
      case "/":
        el = document.querySelector("[data-search]") || document.querySelector('input[type="search"]');
        if (el) {
          e.preventDefault();
          el.focus();
          el.select();
        }
        break;
      case "j":
      case "k":
        if (rows().length > 0) {
          e.preventDefault();
          move(e.key === "j" ? 1 : -1);
        }
        break;
      case "Enter":
        // On a focused link the browser follows it; elsewhere Enter opens
        // the current row.
        if (t.closest && t.closest("a, button, summary")) {
          return;
        }
        el = current && rows().find(function (r) { return r.getAttribute("data-key") === current; });
        el = el && el.querySelector("a[data-row-link]");
        if (el) {
          e.preventDefault();
          el.click();
        }
        break;
      case "r":
        el = document.querySelector('[data-shortcut="reply"]');
        if (el) {
          e.preventDefault();
          el.focus();
        }
        break;
    }
  });
})();
