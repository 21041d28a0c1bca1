// Compile every .py under a folder to CPython 3.13 bytecode (__pycache__/*.cpython-313.pyc).
//
// Lambda's code directory is read-only: without .pyc files for its own Python version every
// cold start compiles every module again. This machine has no Python 3.13, but Pyodide is
// CPython 3.13 compiled to WebAssembly, and its bytecode is CPython's. Unchecked-hash pycs are
// used whatever the files' timestamps become in the zip.
import { loadPyodide } from "pyodide";
import path from "node:path";

const folder = path.resolve(process.argv[2] ?? ".");
const pyodide = await loadPyodide();
pyodide.FS.mkdir("/artefacts");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, "/artefacts");
const result = pyodide.runPython(`
import compileall, py_compile, sys
assert sys.version_info[:2] == (3, 13), sys.version
ok = compileall.compile_dir(
    "/artefacts", quiet=1, workers=1,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
)
"ok" if ok else "failed"
`);
if (result !== "ok") {
  console.error(`compile313: some files in ${folder} did not compile`);
  process.exit(1);
}
console.log(`compile313: ${folder} compiled for CPython 3.13`);
