#pragma once
// The protobuf classes of Debian's libonnx. The onnx CMake target defines these macros for
// the core library; code that only links the core (the tests) gets the same values here.
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>
