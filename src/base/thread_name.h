// Names the calling thread (shown by top -H, perf and /proc/<pid>/task/*/comm).
#ifndef CONSULATE_BASE_THREAD_NAME_H_
#define CONSULATE_BASE_THREAD_NAME_H_

#include <pthread.h>

#include <string>

namespace consulate {

// Linux keeps at most 15 characters; longer names are cut.
inline void SetThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace consulate

#endif  // CONSULATE_BASE_THREAD_NAME_H_
