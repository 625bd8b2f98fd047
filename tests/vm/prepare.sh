#!/bin/sh
# Test bed B, part 1: Debian's own kernel and a tiny initramfs, cached in DIR (default
# target/vm). The kernel comes from the linux-image-*-amd64 package that linux-image-amd64
# depends on; the initramfs holds static busybox and the modules a bond test needs.
#   prepare.sh [DIR]      prints the cache directory when ready
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/target/vm}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
fail() { echo "vm/prepare: $*" >&2; exit 1; }

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || fail "cannot tell which kernel package linux-image-amd64 depends on (apt-get update?)"
kver=${pkg#linux-image-}
if [ -s "$dir/vmlinuz-$kver" ] && [ -s "$dir/initrd-$kver.cpio.gz" ] && [ "$(cat "$dir/initrd.stamp" 2>/dev/null)" = "$(cat "$0" "$top/tests/vm/init" | md5sum)" ]; then
    echo "$dir"
    exit 0
fi

work="$dir/work"
rm -rf "$work"
mkdir -p "$work/deb"
chmod 777 "$work/deb"  # apt-get download runs as _apt where it can
( cd "$work/deb" && apt-get download -q "$pkg" >/dev/null ) || fail "apt-get download $pkg failed"
dpkg -x "$work"/deb/*.deb "$work/root"
cp "$work/root/boot/vmlinuz-$kver" "$dir/vmlinuz-$kver"
depmod -b "$work/root" "$kver"

# The initramfs: busybox, the init script and the modules in load order.
ir="$work/initramfs"
mkdir -p "$ir/bin" "$ir/modules" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/host" "$ir/newroot" "$ir/results" "$ir/overlay"
cp /bin/busybox "$ir/bin/busybox"
[ "$(file -b /bin/busybox 2>/dev/null | grep -c static)" = 1 ] || ldd /bin/busybox 2>&1 | grep -q "not a dynamic" || fail "/bin/busybox is not static: install busybox-static"
cp "$top/tests/vm/init" "$ir/init"
chmod +x "$ir/init"
: > "$ir/modules/order"
for m in virtio_pci virtio_net 9pnet_virtio 9p overlay bonding veth bridge; do
    modprobe -d "$work/root" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }' | while read -r path; do
        base=$(basename "$path")
        # .ko.xz needs no decompression by us: the kernel's finit_module takes compressed
        # modules only with the right config, so decompress to be safe.
        case "$base" in
            *.xz) xz -dc "$path" > "$ir/modules/${base%.xz}"; base=${base%.xz} ;;
            *) cp "$path" "$ir/modules/$base" ;;
        esac
        grep -qx "$base" "$ir/modules/order" || echo "$base" >> "$ir/modules/order"
    done
done
( cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1 ) > "$dir/initrd-$kver.cpio.gz"
cat "$0" "$top/tests/vm/init" | md5sum > "$dir/initrd.stamp"
echo "$kver" > "$dir/kver"
rm -rf "$work"
echo "$dir"
