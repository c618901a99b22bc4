# Writes every ELF image found inside a file (NVIDIA's pipeline cache data) as OUT_PREFIX-N.elf.
import struct, sys
data = open(sys.argv[1], 'rb').read()
prefix = sys.argv[2]
start, n = 0, 0
while True:
    at = data.find(b'\x7fELF', start)
    if at < 0: break
    try:
        cls = data[at + 4]
        if cls == 2:
            shoff, = struct.unpack_from('<Q', data, at + 0x28)
            shentsize, shnum = struct.unpack_from('<HH', data, at + 0x3A)
            phoff, = struct.unpack_from('<Q', data, at + 0x20)
            end = at + max(shoff + shentsize * shnum, 64)
        else:
            shoff, = struct.unpack_from('<I', data, at + 0x20)
            shentsize, shnum = struct.unpack_from('<HH', data, at + 0x2E)
            end = at + max(shoff + shentsize * shnum, 52)
        end = min(end, len(data))
        open(f'{prefix}-{n}.elf', 'wb').write(data[at:end])
        print(f'ELF {n}: offset {at}, {end - at} bytes, class {cls}')
        n += 1
    except Exception as e:
        print('bad ELF at', at, e)
    start = at + 4
print(len(data), 'bytes,', n, 'ELF images')
