// Upload files to a case from the "Add documents" input or by drag and drop: one XMLHttpRequest per file to
// POST /api/v1/cases/{id}/documents (session cookie + X-CSRF-Token), a <progress> per file while it uploads, then
// the document's own row, which polls its status with htmx until it is indexed or failed. No framework.
(() => {
  "use strict";
  const zone = document.querySelector(".dropzone[data-upload-url]");
  if (!zone) return;
  const input = zone.querySelector("input[type=file]");
  const rows = document.getElementById("document-rows");
  const uploadUrl = zone.dataset.uploadUrl;
  const rowUrl = (id) => zone.dataset.rowUrl.replace("{id}", encodeURIComponent(id));

  function cell(row, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function newRow(file) {
    const row = document.createElement("tr");
    row.className = "document-row uploading";
    const name = document.createElement("span");
    name.dir = "auto";
    name.textContent = file.name; // textContent: a file name is never markup
    cell(row, "filename").appendChild(name);
    const status = cell(row, "status-cell");
    status.setAttribute("aria-live", "polite");
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `Uploading ${file.name}`);
    const words = document.createElement("span");
    words.className = "muted small";
    words.textContent = "uploading";
    status.append(progress, words);
    for (let i = 0; i < 4; i += 1) cell(row);
    const empty = document.getElementById("no-documents");
    if (empty) empty.remove();
    rows.appendChild(row);
    return { row, progress, words, status };
  }

  function showRefusal(parts, detail) {
    // Not kept by Casefile: the row says failed and why, from the problem body's detail.
    parts.row.classList.remove("uploading");
    parts.row.dataset.status = "failed";
    parts.status.replaceChildren();
    const word = document.createElement("span");
    word.className = "status status-failed";
    word.textContent = "failed";
    const reason = document.createElement("p");
    reason.className = "reason";
    reason.textContent = detail;
    parts.status.append(word, reason);
  }

  function showDocument(parts, id) {
    // The same bytes already in the case: that row is on the page already, so this one goes.
    if (document.getElementById(`doc-${id}`)) {
      parts.row.remove();
      return;
    }
    parts.row.id = `doc-${id}`;
    // The row is the source too: htmx keeps one request in flight per source element, and with the body as the
    // source, rows finishing together would drop each other's requests.
    htmx.ajax("GET", rowUrl(id), { source: parts.row, target: parts.row, swap: "outerHTML" });
  }

  function upload(file) {
    const parts = newRow(file);
    const request = new XMLHttpRequest();
    request.open("POST", uploadUrl);
    request.setRequestHeader("X-CSRF-Token", document.body.dataset.csrfToken || "");
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      parts.progress.max = event.total;
      parts.progress.value = event.loaded;
      parts.words.textContent = `uploading ${Math.round((100 * event.loaded) / event.total)}%`;
    };
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch (error) {
        body = null;
      }
      if ((request.status === 200 || request.status === 202) && body && body.id) {
        showDocument(parts, body.id);
      } else if (body && body.document_id) {
        showDocument(parts, body.document_id); // kept as failed: its row shows the reason and Reprocess
      } else {
        showRefusal(parts, (body && body.detail) || `the upload was refused (HTTP ${request.status})`);
      }
    };
    request.onerror = () => showRefusal(parts, "the upload did not reach Casefile; check the connection and try again");
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  }

  function uploadAll(files) {
    Array.from(files).forEach(upload);
  }

  input.addEventListener("change", () => {
    uploadAll(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
  });
})();
