#pragma once
#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace tandem {

// "a/b/c.bin" -> "a/b"; "c.bin" -> "."; "/c.bin" -> "/".
std::string parent_directory(const std::string& path);

// mkdir -p: creates each missing component with `mode` (components that exist are left as
// they are). Throws Error naming the directory that could not be made.
void make_directories(const std::string& dir, mode_t mode);

// Replaces `path` with the concatenation of `parts`, or leaves it untouched: the bytes go to
// a temporary file in the same directory (a rename is atomic only within one file system),
// which is fsynced, renamed over `path`, and then the directory is fsynced so the rename
// itself survives a power cut. Any failure removes the temporary file and throws Error
// naming `path`. A reader therefore sees the old file or the new one, never a torn one.
void write_file_atomically(const std::string& path,
                           std::initializer_list<std::span<const std::uint8_t>> parts,
                           mode_t mode);

// The prefix write_file_atomically gives its temporary files: path + ".tmp.".
std::string temporary_file_prefix(const std::string& path);

}  // namespace tandem
