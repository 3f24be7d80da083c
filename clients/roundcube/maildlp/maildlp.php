<?php

/**
 * maildlp for Roundcube: checks every message on Send, before it leaves, for exposure of
 * protected people, with the protected list, policy and envelope recipients the mail server's
 * milter uses.
 *
 * block: not sent, the compose window stays, a notice without any identifier (counts, kinds,
 *        attachment names) and, when moving the outsiders to Bcc fixes everything, a button
 *        that does so (maildlp_fix_bcc) and sends after scanning the fixed message again;
 * warn:  a confirmation to send anyway; the confirmation is logged;
 * allow: nothing shown.
 * If maildlp cannot be loaded, sending is refused (maildlp_on_error = 'allow' sends instead).
 *
 * @license MIT OR Apache-2.0
 */
require_once __DIR__ . '/maildlp_engine.php';

class maildlp extends rcube_plugin
{
    public $task = 'mail';

    /**
     * The scanner of this request. PHP (PHP-FPM, mod_php, the CLI server) frees every PHP
     * value at the end of a request, so the scanner is compiled once per request that sends
     * and reused by the scan, the fix and the scan again.
     *
     * @var maildlp_engine|null
     */
    private static $engine;

    /** @var string|null why the scanner could not be loaded, for this request */
    private static $engine_error;

    public function init()
    {
        $this->load_config();
        $this->add_hook('message_before_send', [$this, 'before_send']);
        $rcmail = rcmail::get_instance();
        if ($rcmail->action == 'compose') {
            $this->add_texts('localization/', ['sendanyway', 'movebccandsend', 'close', 'title', 'warntitle']);
            $this->include_script('maildlp.js');
        }
        else {
            $this->add_texts('localization/');
        }
    }

    /** The scanner, opened on first use in this request. */
    private function engine()
    {
        if (self::$engine === null && self::$engine_error === null) {
            $rcmail = rcmail::get_instance();
            try {
                self::$engine = new maildlp_engine([
                    'list'    => (string) $rcmail->config->get('maildlp_list', '/etc/maildlp/protected.sealed'),
                    'key'     => (string) $rcmail->config->get('maildlp_key', ''),
                    'policy'  => (string) $rcmail->config->get('maildlp_policy', ''),
                    'backend' => (string) $rcmail->config->get('maildlp_backend', 'auto'),
                    'library' => (string) $rcmail->config->get('maildlp_library', '/usr/local/lib/libmaildlp.so'),
                    'command' => (string) $rcmail->config->get('maildlp_command', '/usr/local/bin/maildlp'),
                ]);
            }
            catch (maildlp_engine_error $e) {
                self::$engine_error = $e->getMessage();
            }
        }
        return self::$engine;
    }

    /** The message_before_send hook. */
    public function before_send($args)
    {
        $rcmail = rcmail::get_instance();
        $message = $args['message'];
        $headers = $message->headers();
        $rcpts = $this->recipients($args['mailto'], $headers);
        $msgid = $headers['Message-ID'] ?? '';

        $engine = $this->engine();
        if ($engine === null) {
            $this->log("message $msgid: maildlp could not be loaded: " . self::$engine_error);
            if ($rcmail->config->get('maildlp_on_error', 'refuse') == 'allow') {
                return $args;
            }
            return $this->refuse($args, 'unavailable');
        }

        $fixed = false;
        try {
            $result = $engine->scan(self::bytes($message), $rcpts);
            $fix = rcube_utils::get_input_string('_maildlp_fix', rcube_utils::INPUT_POST) === '1';
            if ($result['verdict'] == 'block' && $fix && $this->fixable($engine, $message, $rcpts)) {
                $before = $result;
                $args['mailto'] = $this->apply_fix($engine, $message);
                $result = $engine->scan(self::bytes($message), $rcpts);
                $fixed = true;
                $this->log("message $msgid: moved to Bcc: " . $this->summary($before) . ' -> verdict=' . $result['verdict']);
            }
        }
        catch (maildlp_engine_error $e) {
            $this->log("message $msgid: maildlp failed: " . $e->getMessage());
            if ($rcmail->config->get('maildlp_on_error', 'refuse') == 'allow') {
                return $args;
            }
            return $this->refuse($args, 'unavailable');
        }

        $verdict = $result['verdict'];
        if ($verdict == 'allow') {
            return $args;
        }
        $findings = $result['report']['findings'] ?? [];
        $signature = $this->signature($findings);

        if ($verdict == 'warn') {
            $confirmed = rcube_utils::get_input_string('_maildlp_confirm', rcube_utils::INPUT_POST);
            if ($confirmed !== '' && hash_equals($signature, $confirmed)) {
                $this->log("message $msgid: sent anyway after a warning: " . $this->summary($result));
                return $args;
            }
            $this->log("message $msgid: warned: " . $this->summary($result));
            // After a move to Bcc, the confirmation sends the moved message: the move is asked
            // for again with it.
            $rcmail->output->command('plugin.maildlp_warn', [
                'lines' => $this->notice($findings),
                'confirm' => $signature,
                'fix' => $fixed,
            ]);
            return $this->refuse($args, 'warned');
        }

        $bcc = $this->fixable($engine, $message, $rcpts);
        $this->log("message $msgid: blocked: " . $this->summary($result));
        $rcmail->output->command('plugin.maildlp_block', [
            'lines' => $this->notice($findings),
            'bcc' => $bcc,
        ]);
        return $this->refuse($args, 'blocked');
    }

    /** Stops the sending: Roundcube shows the label and keeps the compose window. */
    private function refuse($args, $label)
    {
        $args['abort'] = true;
        $args['result'] = false;
        $args['error'] = ['label' => 'maildlp.' . $label, 'vars' => []];
        return $args;
    }

    /** Every envelope recipient: the To of the hook, Cc and Bcc. */
    private function recipients($mailto, $headers)
    {
        $lists = (array) $mailto;
        foreach (['Cc', 'Bcc'] as $name) {
            if (!empty($headers[$name])) {
                $lists[] = $headers[$name];
            }
        }
        $rcpts = [];
        foreach ($lists as $list) {
            foreach (rcube_mime::decode_address_list($list, null, false, null, true) as $addr) {
                if (is_string($addr) && strpos($addr, '@') !== false) {
                    $rcpts[strtolower($addr)] = $addr;
                }
            }
        }
        return array_values($rcpts);
    }

    /** Whether moving the outsiders to Bcc leaves nothing blocked (only recipient exposure). */
    private function fixable($engine, $message, $rcpts)
    {
        $fixed = $engine->fix_bcc(self::bytes($message));
        return $engine->scan($fixed, $rcpts)['verdict'] != 'block';
    }

    /**
     * Applies `fix --bcc` to the Mail_mime object: the recipient fields of the fixed message
     * replace those of the composed one (the body is the same bytes). Returns the new To.
     */
    private function apply_fix($engine, $message)
    {
        $original = self::bytes($message);
        $fixed = $engine->fix_bcc($original);
        $before = self::header_fields($original);
        $after = self::header_fields($fixed);
        $set = [];
        foreach (['To', 'Cc', 'Bcc', 'Reply-To', 'Mail-Reply-To', 'Mail-Followup-To'] as $name) {
            $key = strtolower($name);
            if (($before[$key] ?? null) !== ($after[$key] ?? null)) {
                $set[$name] = $after[$key] ?? null;
            }
        }
        if ($set) {
            $message->headers($set, true);
        }
        $headers = $message->headers();
        return $headers['To'] ?? 'undisclosed-recipients:;';
    }

    /**
     * The message as Roundcube will send it (with its Bcc field, which maildlp reads as hidden
     * recipients). Mail_mime gives a PEAR_Error when it cannot build the message.
     *
     * @throws maildlp_engine_error
     */
    private static function bytes($message)
    {
        $bytes = $message->getMessage();
        if (!is_string($bytes)) {
            throw new maildlp_engine_error('Roundcube could not build the message');
        }
        return $bytes;
    }

    /** The unfolded header fields of a message, by lower-case name (the first of each). */
    public static function header_fields($message)
    {
        $end = strpos($message, "\r\n\r\n");
        $head = $end === false ? $message : substr($message, 0, $end);
        $head = preg_replace('/\r?\n[ \t]+/', ' ', $head);
        $fields = [];
        foreach (preg_split('/\r?\n/', $head) as $line) {
            $colon = strpos($line, ':');
            if ($colon > 0) {
                $name = strtolower(trim(substr($line, 0, $colon)));
                if (!isset($fields[$name])) {
                    $fields[$name] = trim(substr($line, $colon + 1));
                }
            }
        }
        return $fields;
    }

    /** What the findings are, without records or locations' text: confirms one warning. */
    private function signature(array $findings)
    {
        $parts = [];
        foreach ($findings as $f) {
            $parts[] = [$f['rule'] ?? '', $f['record'] ?? '', $f['kind'] ?? '', $f['location'] ?? null, $f['field'] ?? ''];
        }
        $secret = $_SESSION['maildlp_secret'] ?? ($_SESSION['maildlp_secret'] = bin2hex(random_bytes(16)));
        return hash_hmac('sha256', json_encode($parts), $secret);
    }

    /** A log line's summary: verdict, rules and record ids (never an identifier). */
    private function summary(array $result)
    {
        $rules = $records = [];
        foreach ($result['report']['findings'] ?? [] as $f) {
            $rules[$f['rule'] ?? '?'] = true;
            if (isset($f['record'])) {
                $records[$f['record']] = true;
            }
        }
        return sprintf('verdict=%s rules=%s records=%s', $result['verdict'],
            implode(',', array_keys($rules)) ?: '-', implode(',', array_keys($records)) ?: '-');
    }

    private function log($line)
    {
        $rcmail = rcmail::get_instance();
        $user = $rcmail->user ? $rcmail->user->get_username() : '-';
        rcube::write_log('maildlp', "user $user: $line");
    }

    /**
     * The notice: one plain sentence per kind of finding, built from rules, counts, kinds,
     * places and attachment names; never a record id, an excerpt or a value.
     */
    public function notice(array $findings)
    {
        $exposed = [];
        $identifiers = [];
        $named_attachments = [];
        foreach ($findings as $f) {
            $loc = $f['location'] ?? [];
            if (($f['rule'] ?? '') == 'protected-identifier' && ($loc['part'] ?? '') == 'attachment-name') {
                $named_attachments[$loc['index'] ?? 0] = true;
            }
        }
        $lines = [];
        foreach ($findings as $f) {
            $rule = $f['rule'] ?? '';
            if ($rule == 'protected-recipient-exposed') {
                $exposed[$f['record'] ?? count($exposed)] = true;
            }
            else if ($rule == 'visible-recipients') {
                $lines['visible'] = $this->gettext(['name' => 'visible', 'vars' => [
                    'n' => (int) ($f['count'] ?? 0), 'max' => (int) ($f['max'] ?? 0)]]);
            }
            else if ($rule == 'protected-identifier' || $rule == 'sensitive-data') {
                $loc = $f['location'] ?? [];
                $place = $this->place($loc, $named_attachments);
                $kind = $rule == 'sensitive-data' ? 'sensitive' : ($f['kind'] ?? 'name');
                $identifiers[$kind . "\0" . $place][] = true;
            }
            else if ($rule == 'scan-incomplete') {
                $lines['incomplete'] = $this->gettext('incomplete');
            }
        }
        if ($exposed) {
            $n = count($exposed);
            $lines = ['exposed' => $this->gettext(['name' => $n == 1 ? 'exposed1' : 'exposed', 'vars' => ['n' => $n]])] + $lines;
        }
        foreach ($identifiers as $key => $list) {
            [$kind, $place] = explode("\0", $key, 2);
            $n = count($list);
            if (!in_array($kind, ['name', 'email', 'phone', 'term', 'pattern', 'sensitive'])) {
                $kind = 'term';
            }
            $what = $this->gettext(($n == 1 ? 'kind1_' : 'kind_') . $kind);
            $lines[] = $this->gettext(['name' => $n == 1 ? 'identifier1' : 'identifier',
                'vars' => ['n' => $n, 'what' => $what, 'place' => $place]]);
        }
        return array_values($lines);
    }

    /** Where a finding is, in words: an attachment by its file name unless the name is a finding. */
    private function place(array $loc, array $named_attachments)
    {
        $part = $loc['part'] ?? '';
        $index = (int) ($loc['index'] ?? 0);
        switch ($part) {
            case 'attachment':
                $name = (string) ($loc['name'] ?? '');
                if ($name === '' || isset($named_attachments[$index]) || strpos($name, '*') !== false) {
                    return $this->gettext(['name' => 'place_attachment_n', 'vars' => ['n' => $index]]);
                }
                return $this->gettext(['name' => 'place_attachment', 'vars' => ['name' => $name]]);
            case 'attachment-name':
                return $this->gettext(['name' => 'place_attachment_name', 'vars' => ['n' => $index]]);
            case 'subject':
                return $this->gettext('place_subject');
            case 'header-name':
                // The field's name as mail shows it: cc -> Cc, reply-to -> Reply-To.
                $field = implode('-', array_map('ucfirst', explode('-', strtolower((string) ($loc['field'] ?? '')))));
                return $this->gettext(['name' => 'place_header_name', 'vars' => ['field' => $field ?: 'To']]);
            case 'attached-headers':
                return $this->gettext('place_attached_headers');
            default:
                return $this->gettext('place_body');
        }
    }
}
