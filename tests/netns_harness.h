#pragma once
// The thin-link test bed of the multi-site tests (docs/design/multisite.md, "Test bed"):
// network namespaces, veth pairs between them shaped with `tbf` (this kernel has no netem;
// latency comes from tools/delay_proxy), and outages by `ip link set down`. Everything is an
// RAII object: a test that fails half-way leaves no namespace or interface behind (processes
// started inside a namespace must be stopped before it goes: declare them after it). Names
// carry the test process's id, so parallel test processes do not collide; namespaces left by a
// test process that was killed are removed by the next one (RemoveStaleNamespaces).
// Not thread-safe: one thread uses an object at a time.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>

#include "record_harness.h"

namespace sightline::testing {

inline constexpr const char* kNetnsPrefix = "slnet";

// Why the test bed cannot be built here, or nullopt.
inline std::optional<std::string> MissingNetnsPrerequisite() {
  if (::geteuid() != 0) return "must run as root (network namespaces, tc)";
  if (Shell("command -v ip").code != 0) return "no `ip` (apt-get install iproute2; scripts/setup.sh)";
  if (Shell("command -v tc").code != 0) return "no `tc` (apt-get install iproute2; scripts/setup.sh)";
  return std::nullopt;
}

// Deletes namespaces named by this harness whose test process no longer exists.
inline void RemoveStaleNamespaces() {
  const CommandResult list = Shell("ip netns list");
  std::istringstream in(list.output);
  for (std::string line; std::getline(in, line);) {
    const std::string name = line.substr(0, line.find(' '));
    if (!name.starts_with(std::string(kNetnsPrefix) + "-")) continue;
    const std::string rest = name.substr(std::string(kNetnsPrefix).size() + 1);
    const pid_t pid = static_cast<pid_t>(std::atol(rest.c_str()));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) Shell("ip netns delete " + Quote(name));
  }
}

// A network namespace with its loopback up, deleted (with the interfaces in it) by the
// destructor.
class NetNamespace {
 public:
  // `label`: a few letters telling the namespaces of one test apart ("c", "a", "b").
  static Result<std::unique_ptr<NetNamespace>> Create(const std::string& label) {
    const std::string name = std::string(kNetnsPrefix) + "-" + std::to_string(::getpid()) + "-" + label;
    Shell("ip netns delete " + Quote(name));  // left by an earlier fixture of this process
    const CommandResult add = Shell("ip netns add " + Quote(name));
    if (add.code != 0) return InternalError("ip netns add " + name + ": " + add.output);
    std::unique_ptr<NetNamespace> ns(new NetNamespace(name));
    RETURN_IF_ERROR(ns->Run("ip link set lo up"));
    return ns;
  }
  ~NetNamespace() { Shell("ip netns delete " + Quote(name_)); }
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  const std::string& name() const { return name_; }
  // Runs `command` (a shell command line) inside the namespace.
  Status Run(const std::string& command) const {
    const CommandResult r = Shell("ip netns exec " + Quote(name_) + " " + command);
    if (r.code != 0) return InternalError("in " + name_ + ": " + command + ": " + r.output);
    return Status();
  }
  std::string Output(const std::string& command) const {
    return Shell("ip netns exec " + Quote(name_) + " " + command).output;
  }

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

struct LinkOptions {
  std::string near_address;  // "10.77.1.2/30": the near end (e.g. a site)
  std::string far_address;   // "10.77.1.1/30": the far end (e.g. the centre)
  int rate_kbit = 256;       // each way
  // The bottleneck queue per direction, in bytes: half a second at 256 kbit/s, so that TCP
  // fills the link without seconds of queue in front of every acknowledgement.
  int queue_bytes = 16'000;
};

// A veth pair between two namespaces, shaped by a `tbf` qdisc on each end (so each direction
// carries at most rate_kbit, counted on whole Ethernet frames). The near end can be taken down
// and up (an outage), and its byte counters read. Deleted by the destructor (deleting one end
// deletes both).
class ShapedLink {
 public:
  static Result<std::unique_ptr<ShapedLink>> Create(const NetNamespace& near, const NetNamespace& far,
                                                    const std::string& label, const LinkOptions& options) {
    // Interface names: at most 15 characters; unique within a namespace is enough.
    const std::string near_if = "v" + label + "n";
    const std::string far_if = "v" + label + "f";
    const CommandResult add = Shell("ip link add " + near_if + " netns " + Quote(near.name()) + " type veth peer name " +
                                    far_if + " netns " + Quote(far.name()));
    if (add.code != 0) return InternalError("ip link add " + near_if + ": " + add.output);
    std::unique_ptr<ShapedLink> link(new ShapedLink(near, near_if));
    const std::string tbf = " root tbf rate " + std::to_string(options.rate_kbit) + "kbit burst 3000 limit " +
                            std::to_string(options.queue_bytes);
    for (auto [ns, ifname, address] : {std::tuple{&near, near_if, options.near_address},
                                       std::tuple{&far, far_if, options.far_address}}) {
      RETURN_IF_ERROR(ns->Run("ip addr add " + address + " dev " + ifname));
      RETURN_IF_ERROR(ns->Run("ip link set " + ifname + " up"));
      RETURN_IF_ERROR(ns->Run("tc qdisc add dev " + ifname + tbf));
    }
    return link;
  }
  ~ShapedLink() { Shell("ip netns exec " + Quote(near_.name()) + " ip link delete " + near_if_); }
  ShapedLink(const ShapedLink&) = delete;
  ShapedLink& operator=(const ShapedLink&) = delete;

  // An outage: the near end down (the far end loses its carrier), or back up.
  Status SetUp(bool up) { return near_.Run("ip link set " + near_if_ + (up ? " up" : " down")); }

  // Bytes the near end sent and received (Ethernet frames), or -1.
  int64_t TxBytes() const { return Counter("tx_bytes"); }
  int64_t RxBytes() const { return Counter("rx_bytes"); }
  int64_t Packets() const { return Counter("tx_packets") + Counter("rx_packets"); }

 private:
  ShapedLink(const NetNamespace& near, std::string near_if) : near_(near), near_if_(std::move(near_if)) {}
  int64_t Counter(const std::string& name) const {
    // `ip netns exec` mounts the namespace's own /sys, where the interface is.
    const std::string text = near_.Output("cat /sys/class/net/" + near_if_ + "/statistics/" + name);
    try {
      return std::stoll(text);
    } catch (...) {
      return -1;
    }
  }
  const NetNamespace& near_;
  std::string near_if_;
};

}  // namespace sightline::testing
