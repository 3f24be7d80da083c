<?php

/**
 * maildlp's scanner for the Roundcube plugin: the C ABI through PHP FFI, or the `maildlp`
 * command where FFI is off.
 *
 * Plain PHP (no Roundcube class), so that it can be used and tested from the PHP command
 * line. Every failure is a maildlp_engine_error: the plugin decides whether that refuses or
 * allows the message. The library only ever answers with status codes (a panic inside it is
 * caught by the C ABI and returned as MAILDLP_PANIC), so no failure of maildlp takes the PHP
 * worker down with the draft.
 */
class maildlp_engine_error extends Exception
{
}

class maildlp_engine
{
    /** @var string 'ffi' or 'command' */
    public $backend;

    private $ffi;
    private $scanner;
    private $options;

    /**
     * Opens the list (plain or sealed, with its key) and the policy.
     *
     * Options: list, key, policy (file paths; key and policy may be ''), backend ('auto',
     * 'ffi' or 'command'), library (path of libmaildlp.so), command (path of maildlp),
     * cdef (path of the FFI declarations; default maildlp.h beside this file).
     *
     * @throws maildlp_engine_error when the library, the command, the list, the key or the
     *                              policy cannot be loaded
     */
    public function __construct(array $options)
    {
        $this->options = $options + [
            'list' => '', 'key' => '', 'policy' => '', 'backend' => 'auto',
            'library' => '/usr/local/lib/libmaildlp.so', 'command' => '/usr/local/bin/maildlp',
            'cdef' => __DIR__ . '/maildlp.h',
        ];
        $backend = $this->options['backend'];
        if ($backend == 'auto') {
            $backend = self::ffi_enabled() ? 'ffi' : 'command';
        }
        $this->backend = $backend;

        if ($backend == 'ffi') {
            $this->open_ffi();
        }
        else if ($backend == 'command') {
            $this->check_command();
        }
        else {
            throw new maildlp_engine_error("unknown backend '$backend'");
        }
    }

    public function __destruct()
    {
        if ($this->ffi && $this->scanner) {
            $this->ffi->maildlp_scanner_free($this->scanner);
            $this->scanner = null;
        }
    }

    /**
     * Whether PHP lets this request call FFI::cdef (the extension is loaded and ffi.enable is
     * 1; 'preload' allows it only on the command line and in preloaded scripts).
     */
    public static function ffi_enabled()
    {
        if (!extension_loaded('ffi')) {
            return false;
        }
        $enable = strtolower((string) ini_get('ffi.enable'));
        return in_array($enable, ['1', 'on', 'true', 'yes'])
            || ($enable == 'preload' && PHP_SAPI == 'cli');
    }

    /**
     * Scans a message delivered to the envelope recipients $rcpts.
     *
     * @return array ['verdict' => 'allow'|'warn'|'block', 'report' => the decoded JSON report]
     * @throws maildlp_engine_error
     */
    public function scan($message, array $rcpts)
    {
        $json = $this->backend == 'ffi' ? $this->scan_ffi($message, $rcpts) : $this->scan_command($message, $rcpts);
        $report = json_decode($json, true);
        if (!is_array($report) || !isset($report['verdict']) || !in_array($report['verdict'], ['allow', 'warn', 'block'], true)) {
            throw new maildlp_engine_error('maildlp gave no report');
        }
        return ['verdict' => $report['verdict'], 'report' => $report];
    }

    /**
     * The message with its recipient exposure fixed, as `maildlp fix --bcc` writes it.
     *
     * @throws maildlp_engine_error
     */
    public function fix_bcc($message)
    {
        return $this->backend == 'ffi' ? $this->fix_ffi($message) : $this->fix_command($message);
    }

    private function open_ffi()
    {
        if (!self::ffi_enabled()) {
            throw new maildlp_engine_error('PHP FFI is off (ffi.enable must be 1 for the web server)');
        }
        try {
            $this->ffi = FFI::cdef(file_get_contents($this->options['cdef']), $this->options['library']);
        }
        catch (Throwable $e) {
            throw new maildlp_engine_error('cannot load ' . $this->options['library'] . ': ' . $e->getMessage());
        }
        $list = $this->read($this->options['list'], 'list');
        $key = $this->options['key'] !== '' ? $this->read($this->options['key'], 'key') : '';
        $policy = $this->options['policy'] !== '' ? $this->read($this->options['policy'], 'policy') : null;

        $ffi = $this->ffi;
        $list_buf = $this->bytes($list);
        $key_buf = $this->bytes($key);
        $out = $ffi->new('maildlp_scanner*');
        $err = $ffi->new('char[512]');
        $status = $ffi->maildlp_scanner_open(
            $list_buf, strlen($list), $key_buf, strlen($key),
            $policy, $policy === null ? 0 : strlen($policy),
            FFI::addr($out), $err, 512
        );
        if ($status != 0) {
            throw new maildlp_engine_error($ffi->maildlp_status_str($status) . ': ' . FFI::string($err));
        }
        $this->scanner = $out;
    }

    private function scan_ffi($message, array $rcpts)
    {
        $ffi = $this->ffi;
        $n = count($rcpts);
        $keep = [];
        $array = $ffi->new('const char*[' . max($n, 1) . ']');
        foreach (array_values($rcpts) as $i => $rcpt) {
            $keep[$i] = $ffi->new('char[' . (strlen($rcpt) + 1) . ']');
            FFI::memcpy($keep[$i], $rcpt, strlen($rcpt));
            $array[$i] = FFI::cast('const char*', FFI::addr($keep[$i][0]));
        }
        $report = $ffi->new('maildlp_report*');
        $status = $ffi->maildlp_scan($this->scanner, $this->bytes($message), strlen($message), $array, $n, FFI::addr($report));
        if ($status != 0) {
            throw new maildlp_engine_error('scan: ' . $ffi->maildlp_status_str($status));
        }
        $len = $ffi->new('size_t');
        $json = $ffi->maildlp_report_json($report, FFI::addr($len));
        $ffi->maildlp_report_free($report);
        return $json;
    }

    private function fix_ffi($message)
    {
        $ffi = $this->ffi;
        $out = $ffi->new('uint8_t*');
        $len = $ffi->new('size_t');
        $status = $ffi->maildlp_fix_bcc($this->scanner, $this->bytes($message), strlen($message), FFI::addr($out), FFI::addr($len));
        if ($status != 0) {
            throw new maildlp_engine_error('fix: ' . $ffi->maildlp_status_str($status));
        }
        $fixed = FFI::string($out, $len->cdata);
        $ffi->maildlp_bytes_free($out, $len->cdata);
        return $fixed;
    }

    /** A C copy of a PHP string (at least one byte, so that an empty string has an address). */
    private function bytes($s)
    {
        $buf = $this->ffi->new('uint8_t[' . max(strlen($s), 1) . ']');
        if (strlen($s) > 0) {
            FFI::memcpy($buf, $s, strlen($s));
        }
        return $buf;
    }

    private function read($path, $what)
    {
        $data = is_readable($path) ? file_get_contents($path) : false;
        if ($data === false) {
            throw new maildlp_engine_error("cannot read the $what file $path");
        }
        return $data;
    }

    private function check_command()
    {
        if (!is_executable($this->options['command'])) {
            throw new maildlp_engine_error('cannot run ' . $this->options['command']);
        }
        foreach (['list', 'key', 'policy'] as $what) {
            if ($this->options[$what] !== '' && !is_readable($this->options[$what])) {
                throw new maildlp_engine_error("cannot read the $what file " . $this->options[$what]);
            }
        }
        // The command reads the list, key and policy at each check: a bad one fails that check
        // (exit status 2), which refuses the message as a failure to load does.
    }

    private function list_args()
    {
        $args = ['--protected', $this->options['list']];
        if ($this->options['key'] !== '') {
            array_push($args, '--key', $this->options['key']);
        }
        if ($this->options['policy'] !== '') {
            array_push($args, '--policy', $this->options['policy']);
        }
        return $args;
    }

    private function scan_command($message, array $rcpts)
    {
        $args = array_merge(['scan', '--format', 'json'], $this->list_args());
        foreach ($rcpts as $rcpt) {
            array_push($args, '--rcpt', $rcpt);
        }
        $args[] = '-';
        [$status, $out, $err] = $this->run($args, $message);
        if ($status !== 0 && $status !== 1) {
            throw new maildlp_engine_error('maildlp scan: ' . trim($err));
        }
        return $out;
    }

    private function fix_command($message)
    {
        $args = array_merge(['fix', '--bcc'], $this->list_args(), ['-']);
        [$status, $out, $err] = $this->run($args, $message);
        if ($status !== 0 && $status !== 1) {
            throw new maildlp_engine_error('maildlp fix: ' . trim($err));
        }
        return $out;
    }

    /** Runs the command without a shell; returns [exit status, stdout, stderr]. */
    private function run(array $args, $stdin)
    {
        $cmd = array_merge([$this->options['command']], $args);
        $spec = [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
        $proc = proc_open($cmd, $spec, $pipes);
        if (!is_resource($proc)) {
            throw new maildlp_engine_error('cannot run ' . $this->options['command']);
        }
        // stdin may be larger than a pipe holds: write it while reading stdout and stderr.
        $out = $err = '';
        $offset = 0;
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        stream_set_blocking($pipes[0], false);
        $open = [1 => $pipes[1], 2 => $pipes[2]];
        while ($open || $pipes[0]) {
            $read = array_values($open);
            $write = $pipes[0] ? [$pipes[0]] : [];
            $except = null;
            if (stream_select($read, $write, $except, 30) === false) {
                break;
            }
            if ($write) {
                $n = fwrite($pipes[0], substr($stdin, $offset, 65536));
                $offset += $n ?: 0;
                if ($n === false || $offset >= strlen($stdin)) {
                    fclose($pipes[0]);
                    $pipes[0] = null;
                }
            }
            foreach ($open as $i => $pipe) {
                if (in_array($pipe, $read, true)) {
                    $chunk = fread($pipe, 65536);
                    if ($chunk === '' || $chunk === false) {
                        if (feof($pipe)) {
                            fclose($pipe);
                            unset($open[$i]);
                        }
                    }
                    else if ($i == 1) {
                        $out .= $chunk;
                    }
                    else {
                        $err .= $chunk;
                    }
                }
            }
        }
        $status = proc_close($proc);
        return [$status, $out, $err];
    }
}
