// @mention autocomplete for the comment box: typing "@na" lists matching active users;
// picking one inserts "@username ". Works without it too (users can type the name).
(function () {
  const box = document.getElementById("comment-body");
  const menu = document.getElementById("mention-menu");
  if (!box || !menu) return;
  let timer = null;

  function currentWord() {
    const upto = box.value.slice(0, box.selectionStart);
    const match = /(^|\s)@([\w.\-]*)$/.exec(upto);
    return match ? match[2] : null;
  }

  function pick(username) {
    const upto = box.value.slice(0, box.selectionStart);
    const rest = box.value.slice(box.selectionStart);
    const start = upto.lastIndexOf("@");
    box.value = upto.slice(0, start) + "@" + username + " " + rest;
    box.focus();
    menu.classList.remove("show");
  }

  function show(users) {
    menu.replaceChildren();
    users.forEach(function (user) {
      const item = document.createElement("a");
      item.className = "dropdown-item";
      item.href = "#";
      item.dataset.username = user.username;
      item.textContent = user.name + " (@" + user.username + ")";
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(user.username); });
      menu.appendChild(item);
    });
    menu.classList.toggle("show", users.length > 0);
  }

  box.addEventListener("input", function () {
    const word = currentWord();
    clearTimeout(timer);
    if (word === null) { menu.classList.remove("show"); return; }
    timer = setTimeout(function () {
      fetch(box.dataset.mentionUrl + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(show);
    }, 150);
  });
  box.addEventListener("blur", function () { setTimeout(function () { menu.classList.remove("show"); }, 150); });
})();
