# Sourced by the ci/ scripts: pins the CPU drivers CI runs on, so a run never silently
# picks another one (Mesa CI does the same with VK_ICD_FILENAMES / OCL_ICD_VENDORS).
# On a GPU machine set TANDEM_KEEP_DRIVERS=1 to use whatever the loaders find.
if [ -z "${TANDEM_KEEP_DRIVERS:-}" ]; then
  lvp=$(ls /usr/share/vulkan/icd.d/lvp_icd.*.json 2>/dev/null | head -n 1)
  [ -n "$lvp" ] && export VK_ICD_FILENAMES="$lvp"
  [ -f /etc/OpenCL/vendors/pocl.icd ] && export OCL_ICD_FILENAMES=/etc/OpenCL/vendors/pocl.icd
fi
# pocl's own kernel cache would hide our cache's effect and skew timings.
export POCL_KERNEL_CACHE=0
# ccache keys on paths relative to the checkout, so a fresh clone reuses earlier objects.
export CCACHE_BASEDIR="$PWD" CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Caches of a run live in the build tree, never in the user's home.
export XDG_CACHE_HOME="${XDG_CACHE_HOME_OVERRIDE:-$PWD/build/xdg-cache}"
# Sanitizer builds (ci/test --sanitize): LeakSanitizer ignores only what the CPU drivers and
# loaders keep for the life of the process (ci/lsan.supp says whose, line by line).
# use_tls=0: gcc 12's LeakSanitizer crashes ("Tracer caught signal 11") scanning the dynamic
# TLS of the libraries pocl dlopens; not using TLS as a root can only report more, never hide
# a leak.
export LSAN_OPTIONS="suppressions=$PWD/ci/lsan.supp:print_suppressions=0:use_tls=0"
export UBSAN_OPTIONS="print_stacktrace=1"
