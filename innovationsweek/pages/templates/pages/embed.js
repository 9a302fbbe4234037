/* Innovation Week: the programme on a partner's page.
 *
 *   <script src="https://HOST/embed.js" data-edition="SLUG" data-region="..." data-theme="..."
 *           data-format="..." data-lang="sv" data-limit="20" async></script>
 *
 * Draws the filtered programme right after its own tag, inside a Shadow DOM (the page's styles
 * cannot break it, and its own stay inside). Reads the public JSON API of the host it was loaded
 * from, without credentials: no cookies, no storage, no other host. Theme it from the page with
 * the custom properties --iw-accent, --iw-text, --iw-muted, --iw-background, --iw-border,
 * --iw-radius and --iw-font on the element `.innovationsweek-widget`.
 */
(() => {
  "use strict";

  const WORDS = {{ words|safe }};
  const FILTERS = ["region", "theme", "format"];
  const STYLE = `
    :host { display: block; font-family: var(--iw-font, inherit); color: var(--iw-text, #1b1b1b); }
    .iw { background: var(--iw-background, transparent); border: 1px solid var(--iw-border, #8a8a8a);
          border-top: 4px solid var(--iw-accent, #00594f); border-radius: var(--iw-radius, 0); padding: 0.75em 1em; }
    h2 { font-size: 1.2em; margin: 0 0 0.5em; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { padding: 0.45em 0; border-bottom: 1px solid var(--iw-border, #8a8a8a); }
    li:last-child { border-bottom: 0; }
    a { color: var(--iw-accent, #00594f); font-weight: 700; }
    a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
    .when, .meta { display: block; color: var(--iw-muted, #4a4a4a); font-size: 0.92em; }
    .cancelled a { text-decoration: line-through; }
    .status { margin: 0.25em 0; }
    .whole { margin: 0.75em 0 0; }
  `;

  const script = document.currentScript;
  if (!script || !script.dataset.edition) return;
  const origin = new URL(script.src).origin;
  const settings = script.dataset;
  const language = WORDS[settings.lang] ? settings.lang : "sv";
  const words = WORDS[language];

  const host = document.createElement("div");
  host.className = "innovationsweek-widget";
  script.after(host);
  const root = host.attachShadow({ mode: "open" });

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    node.append(...children);
    return node;
  };

  const style = element("style");
  style.textContent = STYLE;
  const status = element("p", { class: "status", role: "status" }, words.loading);
  const section = element("section", { class: "iw", lang: language, "aria-label": words.heading }, element("h2", {}, words.heading), status);
  root.append(style, section);

  const programmeUrl = () => {
    const query = new URLSearchParams({ limit: String(Math.min(Math.max(parseInt(settings.limit, 10) || 20, 1), 100)) });
    FILTERS.filter((name) => settings[name]).forEach((name) => query.set(name, settings[name]));
    return `${origin}/api/v1/editions/${encodeURIComponent(settings.edition)}/programme?${query}`;
  };

  const when = (item) => {
    const options = { timeZone: item.timezone, weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };
    return new Intl.DateTimeFormat(language, options).format(new Date(item.starts_at));
  };

  const place = (item) => (item.attendance_mode === "online" ? words.online : (item.venue && item.venue.municipality) || words.online);

  const entry = (item) => {
    const link = element("a", { href: `${origin}/activities/${item.id}?lang=${language}` }, item.title);
    if (item.languages && item.languages[0]) link.setAttribute("lang", item.languages[0]);
    const meta = [words.formats[item.format] || item.format, place(item), item.organiser.name].join(" · ");
    const row = element("li", {}, element("span", { class: "when" }, when(item)), link, element("span", { class: "meta" }, meta));
    if (item.status === "cancelled") {
      row.classList.add("cancelled");
      row.append(element("span", { class: "meta" }, words.cancelled));
    }
    return row;
  };

  const show = (items) => {
    status.remove();
    section.append(items.length ? element("ul", {}, ...items.map(entry)) : element("p", { class: "status" }, words.empty));
    const whole = element("a", { href: `${origin}/editions/${encodeURIComponent(settings.edition)}?lang=${language}` }, words.whole);
    section.append(element("p", { class: "whole" }, whole));
  };

  fetch(programmeUrl(), { credentials: "omit", headers: { Accept: "application/json", "Accept-Language": language } })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then((page) => show(page.items))
    .catch(() => { status.textContent = words.failed; });
})();
