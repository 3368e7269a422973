"""Reports the kernels of an AMD GPU code object and checks them against
the hardware's limits (test/e2e/amdgpu.test; bench/amdgpu.py reads its
`inspect`).

    code_object_report.py LLVM_READELF CODE_OBJECT

Reads the AMDGPU metadata note (llvm-readelf --notes): the target, and per
kernel its registers (VGPRs, AGPRs, SGPRs), LDS (group segment), scratch
(private segment) and spills. Prints one summary line; fails if a kernel
uses more registers than a thread may have (512 VGPRs and AGPRs together
on CDNA 2 and 3, gfx90a and gfx94x; 256 VGPRs on the others, RDNA
included; 102 SGPRs), more than 64 KiB of LDS, or spills.
"""
import re
import subprocess
import sys

FIELDS = ("name", "vgpr_count", "agpr_count", "sgpr_count",
          "group_segment_fixed_size", "private_segment_fixed_size",
          "vgpr_spill_count", "sgpr_spill_count", "wavefront_size")


def kernels(notes):
    found, current = [], None
    for line in notes.splitlines():
        item = re.match(r"\s*(- )?\.(\w+):\s*(\S*)", line)
        if not item:
            continue
        if item.group(1) and line.startswith("  - "):
            current = {}
            found.append(current)
        if current is not None and item.group(2) in FIELDS:
            value = item.group(3)
            current[item.group(2)] = value if item.group(2) == "name" \
                else int(value)
    return found


def inspect(readelf, path):
    """(target, kernels, problems) of the code object at `path`: each kernel
    a dict of FIELDS, each problem a kernel over a limit."""
    notes = subprocess.run([readelf, "--notes", path], check=True,
                           capture_output=True, text=True).stdout
    target = re.search(r"amdhsa\.target:\s*(\S+)", notes).group(1)
    found = kernels(notes)
    problems = []
    # CDNA 2 and 3 share 512 registers between VGPRs and AGPRs; the other
    # chips have 256 VGPRs.
    registers = 512 if re.search(r"--gfx(90a|94[0-2])", target) else 256
    for kernel in found:
        used = kernel["vgpr_count"] + kernel.get("agpr_count", 0)
        if used > registers:
            problems.append(f"{kernel['name']}: {used} VGPRs and AGPRs")
        if kernel["sgpr_count"] > 102:
            problems.append(f"{kernel['name']}: {kernel['sgpr_count']} SGPRs")
        if kernel["group_segment_fixed_size"] > 65536:
            problems.append(f"{kernel['name']}: "
                            f"{kernel['group_segment_fixed_size']} bytes of LDS")
        if kernel["vgpr_spill_count"] or kernel["sgpr_spill_count"]:
            problems.append(f"{kernel['name']}: spills")
    return target, found, problems


def most(found, field):
    """The largest `field` of the kernels `found`."""
    return max(kernel.get(field, 0) for kernel in found)


def main(readelf, path):
    target, found, problems = inspect(readelf, path)
    print(f"{target}: {len(found)} kernels, wavefronts of "
          f"{found[0]['wavefront_size']}; at most {most(found, 'vgpr_count')} "
          f"VGPRs, {most(found, 'agpr_count')} AGPRs, "
          f"{most(found, 'sgpr_count')} SGPRs, "
          f"{most(found, 'group_segment_fixed_size')} bytes of LDS, "
          f"{most(found, 'private_segment_fixed_size')} bytes of scratch; "
          f"{'within the limits' if not problems else 'OVER: ' + '; '.join(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
