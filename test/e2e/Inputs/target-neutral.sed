# LLVM IR with what differs between two targets of one instruction set
# (arm64 macOS and AArch64 Linux) taken out: the triple and data layout,
# every `align N` (the data layout gives globals, and so the loads and
# stores of them, other alignments), the manifest (it names the triple)
# and the values of CLOCK_MONOTONIC (6 on macOS, 1 on Linux) and
# _SC_NPROCESSORS_ONLN (58 on macOS, 84 on Linux).
/^target (triple|datalayout) = /d
/_manifest_text = /d
s/, align [0-9]+//g
s/@clock_gettime\(i32 [0-9]+,/@clock_gettime(i32 MONOTONIC,/g
s/@sysconf\(i32 [0-9]+\)/@sysconf(i32 NPROCESSORS_ONLN)/g
