// Lists and adds notes through the JSON API. Plain DOM, no build step beyond content hashing.
"use strict";

const list = document.getElementById("notes");
const form = document.getElementById("new-note");
const errorBox = document.getElementById("error");
const more = document.getElementById("more");
let cursor = null;

function render(note, atTop) {
  const li = document.createElement("li");
  const text = document.createElement("span");
  text.textContent = note.text;
  const time = document.createElement("time");
  time.dateTime = note.createdAt;
  time.textContent = new Date(note.createdAt).toLocaleString();
  const del = document.createElement("button");
  del.type = "button";
  del.textContent = "Delete";
  del.addEventListener("click", async () => {
    const res = await fetch(`/api/notes/${note.id}`, { method: "DELETE" });
    if (res.ok || res.status === 404) li.remove();
  });
  li.append(text, time, del);
  if (atTop) list.prepend(li);
  else list.append(li);
}

async function loadPage() {
  const url = cursor
    ? `/api/notes?limit=20&cursor=${encodeURIComponent(cursor)}`
    : "/api/notes?limit=20";
  const res = await fetch(url);
  if (!res.ok) return showError(await res.json());
  const page = await res.json();
  page.items.forEach((n) => render(n, false));
  cursor = page.nextCursor;
  more.hidden = !cursor;
}

function showError(body) {
  errorBox.textContent = body && body.error ? body.error.message : "Something went wrong";
  errorBox.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const text = form.elements.text.value;
  const res = await fetch("/api/notes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  const body = await res.json();
  if (!res.ok) return showError(body);
  render(body, true);
  form.reset();
});

more.addEventListener("click", loadPage);
loadPage();
