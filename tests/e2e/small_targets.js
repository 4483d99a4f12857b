() => [...document.querySelectorAll("main a, main button, main input, main select, nav a, nav button")]
  .filter((e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && e.type !== "hidden"
      && !e.closest("p, li, td, dd, figcaption, dt, .inline-links")
      && !(e.type === "radio" || e.type === "checkbox")
      && (r.height < 44 || r.width < 44);
  })
  .map((e) => {
    const r = e.getBoundingClientRect();
    return `${e.tagName} ${(e.textContent || e.name || "").trim().slice(0, 30)} ${Math.round(r.width)}x${Math.round(r.height)}`;
  })
