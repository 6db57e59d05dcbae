// The projector never scrolls (issue 16): what does not fit in its box is cut into pages that
// rotate on their own, every `data-rotate-ms` of the page root (9 s by default), with a
// visible « 2 / 5 ». Pages are measured, not guessed: items are shown one by one until the
// box would overflow, so any number of cards, any title length and any screen size work.
// A new card brings its page to the screen at once (the newest cards are on the first page).

const OFF = "is-off-page";

export class Pager {
  /**
   * stage: the fixed box (overflow hidden); list: the element holding the items, inside it;
   * items(): the items to page, in order; indicator/label: the « 2 / 5 » line (optional);
   * root: the element whose data-rotate-ms sets the interval.
   */
  constructor({ stage, list, items, root, indicator = null, label = null }) {
    this.stage = stage;
    this.list = list;
    this.items = items;
    this.root = root;
    this.indicator = indicator;
    this.label = label;
    this.pages = [[]];
    this.current = 0;
    this.enabled = true;
    this.timer = null;
    this.frame = 0;
    window.addEventListener("resize", () => this.refresh());
    // The box changes size when the head does (a question set, a countdown, an announcement).
    let height = 0;
    if ("ResizeObserver" in window) {
      new ResizeObserver(() => {
        if (Math.abs(this.stage.clientHeight - height) > 1) { height = this.stage.clientHeight; this.refresh(); }
      }).observe(this.stage);
    }
  }

  interval() {
    const ms = Number(this.root.dataset.rotateMs);
    return Number.isFinite(ms) && ms >= 500 ? ms : 9000;
  }

  /** Lay the pages out again on the next frame (cards added, removed, edited, mode changed). */
  refresh() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.layout();
    });
  }

  /** Stop paging: every item shown (e.g. one card enlarged). */
  disable() {
    this.enabled = false;
    clearTimeout(this.timer);
    for (const node of this.list.querySelectorAll(`.${OFF}`)) node.classList.remove(OFF);
    if (this.indicator) this.indicator.hidden = true;
    this.root.dataset.pages = "1";
  }

  enable() {
    if (this.enabled) return;
    this.enabled = true;
    this.refresh();
  }

  overflows() {
    // Too tall (a grid), or spilling into a column beyond the box's width (multi-column).
    return this.list.offsetHeight > this.stage.clientHeight + 1
      || this.list.scrollHeight > this.stage.clientHeight + 1
      || this.list.scrollWidth > this.list.clientWidth + 1;
  }

  layout() {
    if (!this.enabled) return;
    const items = this.items();
    const firstShown = (this.pages[this.current] || [])[0];
    for (const node of this.list.querySelectorAll(`.${OFF}`)) node.classList.remove(OFF);
    for (const node of items) node.classList.add(OFF);
    const pages = [[]];
    for (const node of items) {
      const page = pages[pages.length - 1];
      node.classList.remove(OFF);
      if (page.length && this.overflows()) {
        for (const other of page) other.classList.add(OFF);
        pages.push([node]);
      } else {
        page.push(node);
      }
    }
    this.pages = pages;
    const again = firstShown ? pages.findIndex((p) => p.includes(firstShown)) : -1;
    this.show(again >= 0 ? again : Math.min(this.current, pages.length - 1));
  }

  show(index) {
    clearTimeout(this.timer);
    this.current = this.pages.length ? (index + this.pages.length) % this.pages.length : 0;
    this.pages.forEach((page, i) => {
      for (const node of page) node.classList.toggle(OFF, i !== this.current);
    });
    const many = this.pages.length > 1;
    this.root.dataset.pages = String(this.pages.length);
    this.root.dataset.page = String(this.current + 1);
    if (this.indicator) this.indicator.hidden = !many;
    if (this.label) this.label.textContent = `${this.current + 1} / ${this.pages.length}`;
    if (many) this.timer = setTimeout(() => this.show(this.current + 1), this.interval());
  }

  /** Bring `node`'s page on screen now (a card that just arrived), for a whole interval. */
  reveal(node) {
    if (!this.enabled || !node) return;
    this.layout();
    const index = this.pages.findIndex((p) => p.includes(node));
    if (index >= 0) this.show(index);
  }
}
