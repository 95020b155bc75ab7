// @mention autocomplete for the comment box: typing "@na" or "@林" (right after any
// character, Chinese writes "请@林峰" without spaces) lists matching active users by
// username or display name. Arrow keys move the highlight, Enter/Tab insert the
// highlighted user as "@username ", Escape closes. Works without it too (users can type
// the username).
(function () {
  const box = document.getElementById("comment-body");
  const menu = document.getElementById("mention-menu");
  if (!box || !menu) return;
  let timer = null;
  let active = -1;

  function currentWord() {
    const upto = box.value.slice(0, box.selectionStart);
    // "@" not inside an e-mail address or ASCII word; the query may be CJK or ASCII.
    const match = /(^|[^A-Za-z0-9_.@\-])@([\p{L}\p{N}_.\-]*)$/u.exec(upto);
    return match ? match[2] : null;
  }

  function items() { return Array.from(menu.querySelectorAll(".dropdown-item")); }

  function isOpen() { return menu.classList.contains("show") && items().length > 0; }

  function close() { menu.classList.remove("show"); active = -1; }

  function highlight(index) {
    const all = items();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (item, i) {
      item.classList.toggle("active", i === active);
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    all[active].scrollIntoView({ block: "nearest" });
  }

  function pick(username) {
    const upto = box.value.slice(0, box.selectionStart);
    const rest = box.value.slice(box.selectionStart);
    const start = upto.lastIndexOf("@");
    const before = upto.slice(0, start) + "@" + username + " ";
    box.value = before + rest;
    box.focus();
    box.setSelectionRange(before.length, before.length);
    close();
  }

  function show(users) {
    menu.replaceChildren();
    users.forEach(function (user) {
      const item = document.createElement("a");
      item.className = "dropdown-item";
      item.href = "#";
      item.setAttribute("role", "option");
      item.dataset.username = user.username;
      item.textContent = user.name + " (@" + user.username + ")";
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(user.username); });
      menu.appendChild(item);
    });
    menu.classList.toggle("show", users.length > 0);
    active = -1;
    if (users.length) highlight(0);
  }

  box.addEventListener("input", function () {
    const word = currentWord();
    clearTimeout(timer);
    if (word === null) { close(); return; }
    timer = setTimeout(function () {
      fetch(box.dataset.mentionUrl + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (users) { if (currentWord() !== null) show(users); });
    }, 150);
  });

  box.addEventListener("keydown", function (event) {
    if (!isOpen() || event.isComposing) return;  // IME composition owns Enter
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      pick(items()[active].dataset.username);
    } else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  box.addEventListener("blur", function () { setTimeout(close, 150); });
})();
