/* A job's status page follows the job by itself: while the element #job carries data-poll, the
 * page is fetched again every few seconds and each of its [data-poll-part] elements is put in
 * place of the one with the same id. Nothing reloads, so a screen reader keeps its place and
 * focus stays where it was; a live part (data-poll-part="live") keeps its node and gets the new
 * content, so that it is read out. It stops once the fresh page no longer polls (the job is
 * done), or is not a job page any more (signed out, refused); a fetch the network or the server
 * failed is tried again, less often.
 * Without JavaScript the page's own link reloads it. No framework, no other host. */
(function () {
  "use strict";
  var EVERY = 2000;
  var AT_MOST = 30000;
  var job = document.getElementById("job");
  if (!job || !job.hasAttribute("data-poll") || !window.fetch || !window.DOMParser) {
    return;
  }
  var notes = job.querySelectorAll("[data-poll-note]");
  for (var i = 0; i < notes.length; i += 1) {
    notes[i].hidden = false;
  }

  function focusedKey(part) {
    var focused = document.activeElement;
    if (!focused || !part.contains(focused)) {
      return null;
    }
    return focused.id ? "#" + focused.id : focused.getAttribute("href");
  }

  function refocus(part, key) {
    var again = key && (key.charAt(0) === "#" ? part.querySelector(key) : part.querySelector('[href="' + key + '"]'));
    if (again) {
      again.focus();
    }
  }

  function update(fresh) {
    var parts = job.querySelectorAll("[data-poll-part]");
    for (var i = 0; i < parts.length; i += 1) {
      var part = parts[i];
      var next = fresh.querySelector("#" + part.id);
      if (!next) {
        var held = part.contains(document.activeElement);
        part.remove();
        if (held) {
          document.getElementById("main").focus();
        }
      } else if (part.getAttribute("data-poll-part") === "live") {
        if (part.innerHTML !== next.innerHTML) {
          part.innerHTML = next.innerHTML;
        }
      } else if (part.outerHTML !== next.outerHTML) {
        var key = focusedKey(part);
        part.replaceWith(next);
        refocus(next, key);
      }
    }
  }

  function poll(delay) {
    window.setTimeout(function () {
      window.fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.status >= 500) {
            throw new Error("status " + response.status);
          }
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          var fresh = new window.DOMParser().parseFromString(html, "text/html").getElementById("job");
          if (!fresh) {
            return;
          }
          update(fresh);
          if (fresh.hasAttribute("data-poll")) {
            poll(EVERY);
          } else {
            job.removeAttribute("data-poll");
          }
        })
        .catch(function () {
          poll(Math.min(delay * 2, AT_MOST));
        });
    }, delay);
  }

  poll(EVERY);
}());
