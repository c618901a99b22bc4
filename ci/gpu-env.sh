# Sourced on a GPU machine (see ci/gpu-bundle): unpacks the carried runtime libraries,
# registers the NVIDIA OpenCL driver and points the loaders at the vendor drivers.
set -euo pipefail
root=/tmp/tandem-runtime
mkdir -p "$root"
# The loaders and GL dispatch go to / (the NVIDIA drivers look for them there); the rest
# stays in a folder of its own so it cannot shadow the machine's libraries.
for deb in .dev/debs/*.deb; do
  case "$(basename "$deb")" in
    libvulkan1_*|libglvnd0_*|libglx0_*|libegl1_*|ocl-icd-libopencl1_*) dpkg -x "$deb" / ;;
    *) dpkg -x "$deb" "$root" ;;
  esac
done
ldconfig
export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
mkdir -p /etc/OpenCL/vendors
[ -e /usr/lib/libnvidia-opencl.so.1 ] && echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
nv_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nv_icd" ]; then export VK_DRIVER_FILES="$nv_icd"; fi
export VK_LAYER_PATH="$root/usr/share/vulkan/explicit_layer.d"
export TANDEM_KEEP_DRIVERS=1
# Cold-start figures must not be helped by the drivers' own caches.
export POCL_KERNEL_CACHE=0 CUDA_CACHE_DISABLE=1 __GL_SHADER_DISK_CACHE=0
