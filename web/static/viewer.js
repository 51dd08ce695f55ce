// The page viewer's zoom: the frame's width in percent of the pane. The hit boxes are placed in percent of the
// frame, so they follow the image at every zoom. Without script the page fits the pane.
(() => {
  const STEPS = [50, 75, 100, 125, 150, 200, 250, 300];
  const frame = document.querySelector(".page-frame");
  const level = document.querySelector(".zoom-level");
  if (!frame) {
    document.querySelector(".zoom")?.remove();
    return;
  }
  const show = (percent) => {
    frame.dataset.zoom = String(percent);
    frame.style.width = `${percent}%`;
    if (level) level.textContent = `${percent}%`;
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    if (button.tagName !== "BUTTON") return;
    button.addEventListener("click", () => {
      const current = Number(frame.dataset.zoom || 100);
      if (button.dataset.zoom === "fit") return show(100);
      const index = STEPS.indexOf(current);
      const next = button.dataset.zoom === "in" ? STEPS[Math.min(index + 1, STEPS.length - 1)] : STEPS[Math.max(index - 1, 0)];
      show(next);
    });
  });
})();
