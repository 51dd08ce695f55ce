// The search form leaves out the fields left empty, so the address it makes (the bookmarkable search) holds only
// what was asked. Without script the empty fields are sent, and mean the same.
document.querySelector("form.search-form")?.addEventListener("formdata", (event) => {
  for (const [name, value] of [...event.formData.entries()]) {
    if (value === "") event.formData.delete(name);
  }
});
