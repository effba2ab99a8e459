/**
 * The Python side of a run, imported once when the snapshot is made (so
 * every fresh interpreter starts with it, and with the modules it uses,
 * already loaded). `run` takes the request as one JSON text and ends in one
 * string with the tags of outcome.ts; print, sys.stderr and logging are
 * captured line by line and handed to `emit`, at most MAX_LOG_LINES lines.
 *
 * The code is parsed with `ast` and its statements become the body of a
 * function, so line numbers stay those of the user's code and no text is
 * re-indented (a multi-line string keeps its content).
 */
import { MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINES, MAX_LOG_LINE_CHARS } from '../prelude.ts';

export const RUNNER_MODULE = '_baton_runner';
/** The file name user code compiles under; tracebacks name its lines. */
export const BLOCK_FILENAME = '<block>';

/** Modules a block cannot import: the ways from Python into JavaScript, and process or FFI machinery. */
export const DENIED_MODULES = [
  'js',
  'pyodide_js',
  'pyodide',
  '_pyodide',
  '_pyodide_core',
  'micropip',
  'ctypes',
  '_ctypes',
  'subprocess',
  '_posixsubprocess',
  'multiprocessing',
] as const;

export const RUNNER_PY = String.raw`
import ast, builtins, io, json, logging, sys

MAX_LOG_LINES = ${MAX_LOG_LINES}
MAX_LOG_LINE_CHARS = ${MAX_LOG_LINE_CHARS}
MAX_ERROR_MESSAGE_CHARS = ${MAX_ERROR_MESSAGE_CHARS}
FILENAME = ${JSON.stringify(BLOCK_FILENAME)}
DENIED = frozenset(${JSON.stringify(DENIED_MODULES)})

# Taken now, so a block that replaces json.dumps or a builtin breaks only its own code, not how its outcome is reported.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_encode_text = json.JSONEncoder().encode
_loads = json.loads
_isinstance, _len, _str, _type, _next = isinstance, len, str, type, next
_emit = None
_streams = []
_lines = 0
_dropped = 0


def _cut(text, limit):
    return text[:limit] + "\u2026" if len(text) > limit else text


def _log(level, text):
    global _lines, _dropped
    if _lines >= MAX_LOG_LINES:
        _dropped += 1
        return
    _lines += 1
    _emit(level, _cut(text, MAX_LOG_LINE_CHARS))


class _Stream(io.TextIOBase):
    def __init__(self, level):
        self._level = level
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        *done, self._pending = (self._pending + text).split("\n")
        for line in done:
            _log(self._level, line)
        if len(self._pending) > MAX_LOG_LINE_CHARS:
            _log(self._level, self._pending)
            self._pending = ""
        return len(text)

    def flush(self):
        pass

    def finish(self):
        if self._pending:
            _log(self._level, self._pending)
            self._pending = ""


_LEVELS = ((logging.ERROR, "error"), (logging.WARNING, "warn"), (logging.INFO, "info"))


class _Handler(logging.Handler):
    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:
            text = "(a log record that cannot be formatted)"
        level = next((name for number, name in _LEVELS if record.levelno >= number), "debug")
        for line in text.split("\n"):
            _log(level, line)


class _Guard:
    """Refuses the denied modules to every import path (import, __import__, importlib)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in DENIED:
            raise ModuleNotFoundError(f"module {name!r} is not available in Baton's Python sandbox", name=name)
        return None


class Record(dict):
    """A JSON object: keys read as items (orders["data"]) or attributes (orders.data)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no key {name!r} (keys: {', '.join(map(str, list(self)[:20])) or 'none'})") from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


def _describe(name, message):
    return _encode_text({"name": _cut(name, 200), "message": _cut(message, MAX_ERROR_MESSAGE_CHARS)})


def _thrown(error):
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = _str(error)
    except BaseException:
        message = "(the exception's message could not be read)"
    if line is not None:
        message = f"{message} (line {line})" if message else f"line {line}"
    return "e" + _describe(_type(error).__name__, message)


def _compile(code):
    tree = ast.parse(code, filename=FILENAME)
    arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    block = ast.FunctionDef(name="__baton_block", args=arguments, body=tree.body or [ast.Pass()], decorator_list=[], returns=None, type_params=[])
    module = ast.Module(body=[block], type_ignores=[])
    ast.fix_missing_locations(module)
    return compile(module, FILENAME, "exec", dont_inherit=True)


def _finish(value, max_bytes):
    if _isinstance(value, str) and _len(value) + 2 > max_bytes:
        return "b" + _str(_len(value) + 2)
    try:
        text = _encode(value)
    except (TypeError, ValueError, RecursionError) as error:
        return "j" + _describe(_type(error).__name__, _str(error))
    size = _len(text) if text.isascii() else _len(text.encode("utf-8"))
    if size > max_bytes:
        return "B" + _str(size)
    return "r" + text


def install(emit):
    """Readies a fresh interpreter for its one run: captured streams and logging, the import guard."""
    global _emit
    _emit = emit
    _streams[:] = [_Stream("log"), _Stream("error")]
    sys.stdout, sys.stderr = _streams
    root = logging.getLogger()
    root.handlers[:] = [_Handler()]
    root.setLevel(logging.INFO)
    # The snapshot froze the random module's state: every interpreter would draw the same numbers.
    if "random" in sys.modules:
        sys.modules["random"].seed()
    sys.meta_path.insert(0, _Guard)
    for name in list(sys.modules):
        if name.split(".")[0] in DENIED:
            del sys.modules[name]


def run(request_text):
    try:
        return _run(request_text)
    except BaseException:
        return 'e{"name":"SandboxError","message":"the Python run could not report its outcome (did the code replace a builtin?)"}'


def _run(request_text):
    request = _loads(request_text, object_hook=Record)
    namespace = {"__builtins__": builtins, "__name__": "__baton_block__"}
    namespace.update(request["scope"])
    try:
        code = _compile(request["code"])
    except SyntaxError as error:
        where = f" (line {error.lineno}, column {error.offset})" if error.lineno else ""
        return "e" + _describe("SyntaxError", f"{error.msg}{where}")
    try:
        exec(code, namespace)
        outcome = _finish(namespace["__baton_block"](), request["maxResultBytes"])
    except BaseException as error:
        outcome = _thrown(error)
    for stream in _streams:
        stream.finish()
    if _dropped:
        _emit("warn", f"{_dropped} more log lines dropped")
    return outcome
`;
