/**
 * maildlp for Roundcube, compose screen: the notice of a blocked message (with the "Move
 * external recipients to Bcc and send" button when that fixes it) and the confirmation of a
 * warned one. The text comes from the server as plain sentences and is shown as text.
 *
 * @license MIT OR Apache-2.0
 */
(function () {
  if (!window.rcmail) {
    return;
  }

  // Sets (or clears, with null) a hidden field of the compose form, posted with the next send.
  function field(name, value) {
    var form = rcmail.gui_objects.messageform;
    if (!form) {
      return;
    }
    var input = form.elements[name];
    if (value === null) {
      if (input) {
        input.parentNode.removeChild(input);
      }
      return;
    }
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function clear() {
    field('_maildlp_fix', null);
    field('_maildlp_confirm', null);
  }

  function content(lines) {
    var box = document.createElement('div');
    box.className = 'maildlp-notice';
    box.setAttribute('role', 'alert');
    var list = document.createElement('ul');
    (lines || []).forEach(function (line) {
      var item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  // Sends again with the given hidden fields (name: value).
  function send_with(fields, dialog) {
    clear();
    Object.keys(fields).forEach(function (name) { field(name, fields[name]); });
    $(dialog).dialog('close');
    rcmail.command('send', '', this);
  }

  rcmail.addEventListener('init', function () {
    rcmail.addEventListener('plugin.maildlp_block', function (data) {
      clear();
      var buttons = [];
      if (data.bcc) {
        buttons.push({
          text: rcmail.get_label('maildlp.movebccandsend'),
          'class': 'mainaction send maildlp-bcc',
          click: function () { send_with({ _maildlp_fix: '1' }, this); }
        });
      }
      buttons.push({
        text: rcmail.get_label('maildlp.close'),
        'class': 'cancel maildlp-close',
        click: function () { $(this).dialog('close'); }
      });
      rcmail.show_popup_dialog(content(data.lines), rcmail.get_label('maildlp.title'), buttons,
        { dialogClass: 'maildlp-dialog', width: 560 });
    });

    rcmail.addEventListener('plugin.maildlp_warn', function (data) {
      clear();
      rcmail.show_popup_dialog(content(data.lines), rcmail.get_label('maildlp.warntitle'), [
        {
          text: rcmail.get_label('maildlp.sendanyway'),
          'class': 'mainaction send maildlp-sendanyway',
          click: function () {
            var fields = { _maildlp_confirm: data.confirm };
            if (data.fix) {
              fields._maildlp_fix = '1';
            }
            send_with(fields, this);
          }
        },
        {
          text: rcmail.get_label('maildlp.close'),
          'class': 'cancel maildlp-close',
          click: function () { $(this).dialog('close'); }
        }
      ], { dialogClass: 'maildlp-dialog', width: 560 });
    });
  });
})();
