// The search page (/search/): Pagefind in the browser, over the shards that generator/search.py
// wrote to /pagefind/ (listed in shards.json), searched together with mergeIndex.
// A search is a link: /search/?q=words&tag=PREL&tag=PGOV&origin=Embassy+Rome&year=2009.
// Within a filter, values are alternatives (any); different filters must all hold.

const FILTERS = [
  ["classification", "Classification"],
  ["year", "Year"],
  ["tag", "Tag"],
  ["origin", "Post"],
];
const PAGE = 20; // results shown at a time
const LONG = 12; // a filter with more values gets a box to find one

const root = document.getElementById("search");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const layout = document.getElementById("search-layout");
const list = document.getElementById("search-list");
const more = document.getElementById("search-more");
const filtersBox = document.getElementById("search-filters");
const clear = document.getElementById("search-clear");
const tagTitles = JSON.parse(document.getElementById("search-tag-titles").textContent || "{}");

let pagefind = null;
let totals = {}; // every filter value of the archive, with its number of cables
let results = [];
let shown = 0;
let generation = 0; // a newer search makes older answers stale
let typingTimer = null;
const chosen = new Map(FILTERS.map(([key]) => [key, new Set()]));

function say(text) {
  status.textContent = text;
}

function readLocation({ keepTyped = false } = {}) {
  const params = new URLSearchParams(window.location.search);
  // Words typed while the index was still loading are newer than the link's.
  if (!(keepTyped && input.value.trim())) input.value = params.get("q") || "";
  for (const [key, values] of chosen) {
    values.clear();
    for (const value of params.getAll(key)) values.add(value);
  }
}

function writeLocation() {
  const params = new URLSearchParams();
  const query = input.value.trim();
  if (query) params.set("q", query);
  for (const [key, values] of chosen) for (const value of values) params.append(key, value);
  const search = params.toString();
  const url = window.location.pathname + (search ? `?${search}` : "");
  if (url !== window.location.pathname + window.location.search) {
    window.history.replaceState(null, "", url);
  }
}

function filterOption(except = "") {
  const filters = {};
  for (const [key, values] of chosen) {
    if (values.size && key !== except) filters[key] = { any: [...values] };
  }
  return filters;
}

async function start() {
  const bundle = root.dataset.bundle;
  const site = root.dataset.site;
  say("Loading the search index…");
  let shards;
  try {
    const response = await fetch(`${bundle}shards.json`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    shards = (await response.json()).shards;
  } catch (error) {
    say("The search index of this site cannot be loaded. Browse the archive from the links above.");
    return;
  }
  if (!shards.length) {
    say("This archive has no cables to search yet.");
    return;
  }
  pagefind = await import(`${bundle}${shards[0]}/pagefind.js`);
  await pagefind.options({ baseUrl: site, excerptLength: 36 });
  for (const shard of shards.slice(1)) {
    await pagefind.mergeIndex(`${bundle}${shard}/`, { baseUrl: site });
  }
  // Loads the filter chunks: a search reports counts per filter value only once they are in.
  totals = await pagefind.filters();
  readLocation({ keepTyped: true });
  await run();
}

async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  const filters = filterOption();
  writeLocation();
  if (!query && !Object.keys(filters).length) {
    layout.hidden = true;
    say("Type some words to search the cables.");
    return;
  }
  say("Searching…");
  const search = await pagefind.search(query || null, { filters });
  if (mine !== generation || !search) return;
  // A filter's own choice must not hide its other values: count those without it.
  const counts = { ...search.filters };
  for (const [key, values] of chosen) {
    if (!values.size) continue;
    const without = await pagefind.search(query || null, { filters: filterOption(key) });
    if (mine !== generation) return;
    if (without) counts[key] = without.filters[key];
  }
  // The first page of results is loaded before anything is shown, so that the
  // count, the filters and the list always change together.
  const first = await Promise.all(search.results.slice(0, PAGE).map((result) => result.data()));
  if (mine !== generation) return;
  results = search.results;
  shown = first.length;
  list.replaceChildren(...first.map(drawResult));
  more.parentElement.hidden = shown >= results.length;
  drawFilters(counts);
  layout.hidden = false;
  const count = results.length;
  const what = query ? ` for “${query}”` : "";
  const narrowed = Object.keys(filters).length ? " with the filters chosen" : "";
  say(
    count === 0
      ? `No cable matches${what}${narrowed}.`
      : `${count.toLocaleString("en")} cable${count === 1 ? "" : "s"}${what}${narrowed}.`,
  );
}

async function showMore(mine) {
  const slice = results.slice(shown, shown + PAGE);
  shown += slice.length;
  const data = await Promise.all(slice.map((result) => result.data()));
  if (mine !== generation) return;
  for (const item of data) list.append(drawResult(item));
  more.parentElement.hidden = shown >= results.length;
}

function drawResult(item) {
  const meta = item.meta || {};
  const li = element("li", "cable-item search-item");
  const link = element("a", "cable-item-subject", meta.title || meta.id || item.url);
  link.href = item.url;
  li.append(link);
  const line = element("span", "cable-item-meta");
  if (meta.id) line.append(element("span", "cable-item-id", meta.id));
  if (meta.date) line.append(element("span", "search-item-date", meta.date.replace(/, \d\d:\d\d UTC$/, "")));
  if (meta.origin) line.append(element("span", "cable-item-origin", meta.origin));
  if (meta.classification) line.append(element("span", "search-item-level", meta.classification));
  li.append(line);
  const excerpt = element("p", "search-excerpt");
  excerpt.append(...markedText(item.excerpt || ""));
  li.append(excerpt);
  return li;
}

// Pagefind's excerpt is escaped text with <mark> around the words found; keep only that.
function markedText(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return [...template.content.childNodes].map((node) =>
    node.nodeName === "MARK"
      ? element("mark", "", node.textContent)
      : document.createTextNode(node.textContent),
  );
}

function drawFilters(current) {
  for (const group of filtersBox.querySelectorAll(".search-filter")) group.remove();
  let any = false;
  for (const [key, label] of FILTERS) {
    const counts = (current && current[key]) || {};
    const values = Object.keys((totals && totals[key]) || {}).filter(
      (value) => counts[value] > 0 || chosen.get(key).has(value),
    );
    if (!values.length) continue;
    values.sort((a, b) =>
      key === "year" ? a.localeCompare(b) : (counts[b] || 0) - (counts[a] || 0) || a.localeCompare(b),
    );
    filtersBox.append(drawGroup(key, label, values, counts));
    any = any || chosen.get(key).size > 0;
  }
  clear.parentElement.hidden = !any;
}

function drawGroup(key, label, values, counts) {
  const group = element("details", "search-filter");
  group.dataset.filter = key;
  // On a phone the filters sit above the results: closed, each saying how many values are chosen.
  group.open = !window.matchMedia("(max-width: 47.5rem)").matches;
  const summary = element("summary", "", label);
  const picked = chosen.get(key).size;
  if (picked) summary.append(" ", element("span", "count", `${picked} chosen`));
  group.append(summary);
  const box = element("div", "search-filter-values");
  if (values.length > LONG) {
    const find = element("input", "search-filter-find");
    find.type = "search";
    find.placeholder = `Find a ${label.toLowerCase()}`;
    find.setAttribute("aria-label", `Find a ${label.toLowerCase()} in the list`);
    find.addEventListener("input", () => {
      const needle = find.value.trim().toLowerCase();
      for (const row of box.querySelectorAll("label")) {
        row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
      }
    });
    group.append(find);
  }
  for (const value of values) {
    const row = element("label", "search-filter-value");
    const box_ = element("input");
    box_.type = "checkbox";
    box_.name = key;
    box_.value = value;
    box_.checked = chosen.get(key).has(value);
    box_.addEventListener("change", () => {
      if (box_.checked) chosen.get(key).add(value);
      else chosen.get(key).delete(value);
      run();
    });
    row.append(box_, " ", element("span", key === "tag" ? "tag-code" : "", value));
    if (key === "tag" && tagTitles[value]) row.append(element("span", "search-filter-title", tagTitles[value]));
    row.append(" ", element("span", "count", (counts[value] || 0).toLocaleString("en")));
    box.append(row);
  }
  group.append(box);
  return group;
}

function element(name, className = "", text = "") {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

root.querySelector(".search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (pagefind) run();
});
input.addEventListener("input", () => {
  window.clearTimeout(typingTimer);
  typingTimer = window.setTimeout(() => pagefind && run(), 250);
});
more.addEventListener("click", () => showMore(generation));
clear.addEventListener("click", () => {
  for (const values of chosen.values()) values.clear();
  run();
});
window.addEventListener("popstate", () => {
  readLocation();
  if (pagefind) run();
});

start().catch((error) => {
  say(`Search failed to start: ${error.message}`);
});
