// camsim's ONVIF services checked by clients nobody here wrote, so that Sightline's own ONVIF
// client is not tested against our own misunderstanding (issue 15, deliverable 7):
//   - Debian's onvif-util (libonvif 1.4.4) finds the camera by WS-Discovery, logs in with a
//     UsernameToken, and reads its profiles and stream URIs (Media1). It sends its multicast
//     probe with IP_MULTICAST_LOOP off, so it runs in a network namespace of its own, joined
//     to camsim's by a veth pair. This onvif-util has no PTZ commands.
//   - npm's onvif 0.8.3 (tests/onvif_interop) connects over loopback, reads the profiles and
//     stream URIs through Media2, and drives the PTZ head: continuous move, stop, preset.
//   - WS-Discovery: 20 cameras in one namespace, probed from another by onvif-util -a and by
//     a plain probe of our own, answer as 20 distinct devices.
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "netns_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

constexpr int kOnvifPort = 8080;

// The "camsim: onvif http://HOST:PORT/onvif/NAME/device_service" line's port.
Result<std::string> WaitForOnvifPort(ChildProcess& camsim) {
  ASSIGN_OR_RETURN(std::string line, camsim.WaitForLinePrefix("camsim: onvif http://", 20'000));
  const size_t colon = line.find(':');
  const size_t slash = line.find('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) {
    return InternalError("camsim printed an unexpected line: " + line);
  }
  return line.substr(colon + 1, slash - colon - 1);
}

// Two namespaces joined by a veth pair, 10.78.N.1 (camsim) and 10.78.N.2 (the client), with
// the multicast route WS-Discovery needs on both ends.
struct TwoNamespaces {
  std::unique_ptr<NetNamespace> cams;
  std::unique_ptr<NetNamespace> client;
  std::unique_ptr<ShapedLink> link;
  std::string cam_address;

  static Result<std::unique_ptr<TwoNamespaces>> Create(const std::string& label, int subnet) {
    auto t = std::make_unique<TwoNamespaces>();
    ASSIGN_OR_RETURN(t->cams, NetNamespace::Create(label + "s"));
    ASSIGN_OR_RETURN(t->client, NetNamespace::Create(label + "c"));
    const std::string net = "10.78." + std::to_string(subnet) + ".";
    t->cam_address = net + "1";
    ASSIGN_OR_RETURN(t->link, ShapedLink::Create(*t->client, *t->cams, label,
                                                 {.near_address = net + "2/24",
                                                  .far_address = net + "1/24",
                                                  .rate_kbit = 100'000,
                                                  .queue_bytes = 1'000'000}));
    RETURN_IF_ERROR(t->client->Run("ip route add 224.0.0.0/4 dev v" + label + "n"));
    RETURN_IF_ERROR(t->cams->Run("ip route add 224.0.0.0/4 dev v" + label + "f"));
    return t;
  }
};

std::optional<std::string> MissingTool(const std::string& tool) {
  if (Shell("command -v " + tool).code != 0) return "no `" + tool + "` (scripts/setup.sh installs it)";
  return std::nullopt;
}

// ---- onvif-util (libonvif) ----

class OnvifUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> missing = MissingNetnsPrerequisite()) GTEST_SKIP() << *missing;
    if (std::optional<std::string> missing = MissingTool("onvif-util")) GTEST_SKIP() << *missing;
    main_ = SharedMediaFile(kPets1080H264);
    sub_ = SharedMediaFile(kPets360H264);
    if (!main_ || !sub_) GTEST_SKIP() << kNoSharedMediaMessage;
    RemoveStaleNamespaces();
  }
  std::optional<std::string> main_, sub_;
};

TEST_F(OnvifUtilTest, ReadsProfilesAndStreamUrisOfADiscoveredCamera) {
  Result<std::unique_ptr<TwoNamespaces>> nets = TwoNamespaces::Create("ou", 1);
  ASSERT_TRUE(nets.ok()) << nets.status();
  const std::string ip = (*nets)->cam_address;
  // The camera's clock is 40 minutes ahead: libonvif must date its tokens on it.
  Result<std::unique_ptr<ChildProcess>> camsim = StartIn(
      (*nets)->cams->name(), SIGHTLINE_BINARY,
      {"camsim", "--listen", ip + ":8554", "--onvif", ip + ":" + std::to_string(kOnvifPort),
       "--ws-discovery", "--stats-interval", "0", "--user", "admin", "--password", "s3cret",
       "--camera", "name=front,file=" + *main_ + ",sub=front_sub,clock_offset=2400000",
       "--camera", "name=front_sub,file=" + *sub_});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  Result<std::string> port = WaitForOnvifPort(**camsim);
  ASSERT_TRUE(port.ok()) << port.status();
  ASSERT_EQ(*port, std::to_string(kOnvifPort));

  const CommandResult out = Shell(
      "printf 'get profiles\\nget rtsp\\nget rtsp 1\\nget profile 0\\nget time\\nquit\\n' | "
      "timeout 60 ip netns exec " + Quote((*nets)->client->name()) +
      " onvif-util -u admin -p s3cret " + ip);
  ASSERT_EQ(out.code, 0) << out.output;
  EXPECT_NE(out.output.find("found host: " + ip), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("serial: front"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("Token 0: main"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("Token 1: sub"), std::string::npos) << out.output;
  // The URIs are camsim's real RTSP URLs.
  EXPECT_NE(out.output.find("  rtsp://" + ip + ":8554/front\n"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("  rtsp://" + ip + ":8554/front_sub\n"), std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("Width:      1920"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("Height:     1080"), std::string::npos) << out.output;
  // libonvif measured the camera's clock offset: 2400 s, give or take a second or two.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out.output, m, std::regex("Time Offset: (-?[0-9]+) seconds")))
      << out.output;
  EXPECT_NEAR(std::stoi(m[1].str()), 2400, 3);
  EXPECT_EQ(out.output.find("ERROR"), std::string::npos) << out.output;
}

// onvif-util logging in to a camera `spec` (name=front) with `password`: its output.
CommandResult LoginWithOnvifUtil(const std::string& label, int subnet, const std::string& spec,
                                 const std::string& password) {
  Result<std::unique_ptr<TwoNamespaces>> nets = TwoNamespaces::Create(label, subnet);
  if (!nets.ok()) return {-1, nets.status().ToString()};
  const std::string ip = (*nets)->cam_address;
  Result<std::unique_ptr<ChildProcess>> camsim = StartIn(
      (*nets)->cams->name(), SIGHTLINE_BINARY,
      {"camsim", "--listen", ip + ":8554", "--onvif", ip + ":" + std::to_string(kOnvifPort),
       "--ws-discovery", "--stats-interval", "0", "--user", "admin", "--password", "s3cret",
       "--camera", spec});
  if (!camsim.ok()) return {-1, camsim.status().ToString()};
  if (Result<std::string> port = WaitForOnvifPort(**camsim); !port.ok()) {
    return {-1, port.status().ToString()};
  }
  return Shell("printf 'get rtsp\\nquit\\n' | timeout 60 ip netns exec " +
               Quote((*nets)->client->name()) + " onvif-util -u admin -p " + password + " " + ip);
}

TEST_F(OnvifUtilTest, WrongPasswordIsRefused) {
  const CommandResult out = LoginWithOnvifUtil("ow", 2, "name=front,file=" + *sub_, "wrong");
  EXPECT_NE(out.code, 0) << out.output;
  EXPECT_NE(out.output.find("ERROR: get device information - ter:NotAuthorized"),
            std::string::npos)
      << out.output;
}

// libonvif knows WS-UsernameToken only, and SOAP 1.2 only: the quirks stop it, as on real
// cameras of that kind.
TEST_F(OnvifUtilTest, DigestOnlyAndSoap11CamerasStopIt) {
  const CommandResult digest = LoginWithOnvifUtil(
      "od", 4, "name=front,file=" + *sub_ + ",quirk=onvif-digest-only", "s3cret");
  EXPECT_NE(digest.code, 0) << digest.output;
  EXPECT_NE(digest.output.find("ERROR: get device information - ter:NotAuthorized"),
            std::string::npos)
      << digest.output;
  const CommandResult soap11 = LoginWithOnvifUtil(
      "o1", 5, "name=front,file=" + *sub_ + ",quirk=onvif-soap11", "s3cret");
  // Its XPaths name the SOAP 1.2 namespace: it reads no service addresses from GetCapabilities
  // and cannot ask for profiles.
  EXPECT_EQ(soap11.output.find("rtsp://"), std::string::npos) << soap11.output;
  EXPECT_NE(soap11.output.find("ERROR: get profile token"), std::string::npos) << soap11.output;
}

// ---- WS-Discovery: 20 cameras ----

// Runs a Python script in namespace `netns` (without a shell: the script holds quotes) and
// returns its stdout lines once it exits (within 30 s).
Result<std::vector<std::string>> RunPython(const std::string& netns, const std::string& script,
                                           const std::string& arg) {
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> p, StartIn(netns, "python3", {"-c", script, arg}));
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    Result<std::string> line = p->ReadLine(30'000);
    if (!line.ok()) {
      if (line.status().code() != StatusCode::kOutOfRange) return line.status();
      break;
    }
    lines.push_back(*line);
  }
  ASSIGN_OR_RETURN(int code, p->Wait(10'000));
  if (code != 0) return InternalError("python3 exited with " + std::to_string(code));
  return lines;
}

// A probe of our own (Python's socket module; nothing of camsim's): sends one Probe with no
// Types to the group from the client namespace and prints each answer's endpoint address and
// XAddrs, for 2 s.
constexpr const char* kProbeScript = R"PY(
import re, socket, sys, time, uuid
probe = ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
         'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
         'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header>'
         '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>'
         '<a:MessageID>urn:uuid:%s</a:MessageID>'
         '<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>'
         '<s:Body><d:Probe/></s:Body></s:Envelope>' % uuid.uuid4())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
s.sendto(probe.encode(), (sys.argv[1], 3702))
end = time.time() + 2
while time.time() < end:
    try:
        data, _ = s.recvfrom(65536)
    except socket.timeout:
        continue
    text = data.decode()
    addr = re.search(r'<wsa:Address>([^<]*)</wsa:Address>', text)
    xaddrs = re.search(r'<wsd:XAddrs>([^<]*)</wsd:XAddrs>', text)
    if 'ProbeMatches' in text and addr and xaddrs:
        print(addr.group(1), xaddrs.group(1))
)PY";

// Listens on the group in the client namespace (argument: this end's address) and prints
// "hello ADDRESS" / "bye ADDRESS" for each announcement, until 20 Byes or 30 s.
constexpr const char* kAnnouncementScript = R"PY(
import re, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('', 3702))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack('4s4s', socket.inet_aton('239.255.255.250'), socket.inet_aton(sys.argv[1])))
s.settimeout(0.2)
print('ready', flush=True)
end = time.time() + 30
byes = 0
while time.time() < end and byes < 20:
    try:
        data, _ = s.recvfrom(65536)
    except socket.timeout:
        continue
    text = data.decode(errors='replace')
    addr = re.search(r'<wsa:Address>([^<]*)</wsa:Address>', text)
    if not addr:
        continue
    if '<wsd:Hello>' in text:
        print('hello', addr.group(1), flush=True)
    elif '<wsd:Bye>' in text:
        print('bye', addr.group(1), flush=True)
        byes += 1
)PY";

TEST_F(OnvifUtilTest, DiscoveryFindsTwentyCameras) {
  Result<std::unique_ptr<TwoNamespaces>> nets = TwoNamespaces::Create("wd", 3);
  ASSERT_TRUE(nets.ok()) << nets.status();
  const std::string ip = (*nets)->cam_address;
  Result<std::unique_ptr<ChildProcess>> listener = StartIn(
      (*nets)->client->name(), "python3", {"-c", kAnnouncementScript, "10.78.3.2"});
  ASSERT_TRUE(listener.ok()) << listener.status();
  ASSERT_TRUE((*listener)->WaitForLinePrefix("ready", 10'000).ok());
  Result<std::unique_ptr<ChildProcess>> camsim = StartIn(
      (*nets)->cams->name(), SIGHTLINE_BINARY,
      {"camsim", "--listen", ip + ":8554", "--onvif", ip + ":" + std::to_string(kOnvifPort),
       "--ws-discovery", "--discovery-delay-ms", "200", "--stats-interval", "0", "--camera",
       "name=cam{00..19},file=" + *sub_});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  ASSERT_TRUE(WaitForOnvifPort(**camsim).ok());

  // onvif-util -a: "Found N cameras", then "HOST HOSTNAME(NAME HARDWARE)" per camera, the host
  // name from GetHostname on the XAddrs each answer gave.
  const CommandResult all = Shell("timeout 60 ip netns exec " + Quote((*nets)->client->name()) +
                                  " onvif-util -a");
  ASSERT_EQ(all.code, 0) << all.output;
  EXPECT_NE(all.output.find("Found 20 cameras"), std::string::npos) << all.output;
  std::set<std::string> names;
  std::istringstream lines(all.output);
  const std::regex row("^" + ip + " (cam[0-9][0-9])\\(cam[0-9][0-9] camsim\\)$");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) names.insert(m[1].str());
  }
  EXPECT_EQ(names.size(), 20u) << all.output;

  // Our own unicast-free probe: 20 distinct endpoint references, each with its own XAddrs.
  Result<std::vector<std::string>> probe =
      RunPython((*nets)->client->name(), kProbeScript, "239.255.255.250");
  ASSERT_TRUE(probe.ok()) << probe.status();
  std::set<std::string> uuids, xaddrs;
  for (const std::string& line : *probe) {
    std::istringstream answer(line);
    std::string uuid, xaddr;
    answer >> uuid >> xaddr;
    EXPECT_TRUE(uuid.starts_with("urn:uuid:")) << line;
    uuids.insert(uuid);
    xaddrs.insert(xaddr);
  }
  EXPECT_EQ(probe->size(), 20u);  // one answer per camera, no more
  EXPECT_EQ(uuids.size(), 20u);
  EXPECT_EQ(xaddrs.size(), 20u);
  EXPECT_EQ(xaddrs.count("http://" + ip + ":8080/onvif/cam07/device_service"), 1u);

  // A unicast probe to the camera's address gets the same 20 answers.
  Result<std::vector<std::string>> unicast = RunPython((*nets)->client->name(), kProbeScript, ip);
  ASSERT_TRUE(unicast.ok()) << unicast.status();
  std::set<std::string> unicast_uuids;
  for (const std::string& line : *unicast) unicast_uuids.insert(line.substr(0, line.find(' ')));
  EXPECT_EQ(unicast_uuids, uuids);

  // Hello from each camera at start, Bye from each at exit (SIGTERM), with the same addresses.
  ASSERT_TRUE((*camsim)->Signal(SIGTERM).ok());
  Result<int> exit = (*camsim)->Wait(10'000);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(*exit, 0);
  std::set<std::string> hellos, byes;
  for (int i = 0; i < 100 && byes.size() < 20; ++i) {
    Result<std::string> line = (*listener)->ReadLine(10'000);
    if (!line.ok()) break;
    if (line->starts_with("hello ")) hellos.insert(line->substr(6));
    if (line->starts_with("bye ")) byes.insert(line->substr(4));
  }
  EXPECT_EQ(hellos, uuids);
  EXPECT_EQ(byes, uuids);
}

// ---- npm onvif ----

class NpmOnvifTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> missing = MissingTool("node")) GTEST_SKIP() << *missing;
    main_ = SharedMediaFile(kPets1080H264);
    sub_ = SharedMediaFile(kPets360H264);
    if (!main_ || !sub_) GTEST_SKIP() << kNoSharedMediaMessage;
    // The project installs its own test dependencies (npm ci from the lock file).
    const CommandResult deps =
        Shell("bash " + Quote(std::string(SIGHTLINE_SOURCE_DIR) + "/scripts/onvif_interop_deps.sh"));
    ASSERT_EQ(deps.code, 0) << deps.output;
  }
  // Runs interop.js against camera `name`.
  CommandResult Client(const std::string& onvif_port, const std::string& name) {
    return Shell("cd " + Quote(std::string(SIGHTLINE_SOURCE_DIR) + "/tests/onvif_interop") +
                 " && timeout 60 node interop.js 127.0.0.1 " + onvif_port + " /onvif/" + name +
                 "/device_service admin s3cret");
  }
  // Its JSON line, expecting success.
  std::string RunClient(const std::string& onvif_port, const std::string& name) {
    const CommandResult r = Client(onvif_port, name);
    EXPECT_EQ(r.code, 0) << r.output;
    return r.output;
  }
  std::optional<std::string> main_, sub_;
};

// The number after `"key":` in `json` (interop.js prints flat numbers).
double JsonNumber(const std::string& json, const std::string& path_regex) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex(path_regex + R"(":(-?[0-9.]+))"))) return 1e9;
  return std::stod(m[1].str());
}

TEST_F(NpmOnvifTest, ReadsProfilesAndStreamUrisAndDrivesPtz) {
  // Two cameras: one whose clock is an hour behind (the client must date its tokens on it),
  // one that knows only HTTP Digest (npm onvif answers the 401 challenge).
  Result<std::unique_ptr<ChildProcess>> camsim = ChildProcess::Start(
      SIGHTLINE_BINARY,
      {"camsim", "--listen", "127.0.0.1:0", "--onvif", "127.0.0.1:0", "--stats-interval", "0",
       "--user", "admin", "--password", "s3cret", "--camera",
       "name=yard,file=" + *main_ + ",sub=yard_sub,clock_offset=-3600000", "--camera",
       "name=yard_sub,file=" + *sub_, "--camera",
       "name=gate,file=" + *sub_ + ",quirk=onvif-digest-only"});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  Result<std::string> serving = (*camsim)->WaitForLinePrefix("camsim: serving", 20'000);
  ASSERT_TRUE(serving.ok()) << serving.status();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*serving, m, std::regex(R"(127\.0\.0\.1:([0-9]+)/)"))) << *serving;
  const std::string rtsp_port = m[1].str();
  Result<std::string> onvif_port = WaitForOnvifPort(**camsim);
  ASSERT_TRUE(onvif_port.ok()) << onvif_port.status();

  const std::string yard = RunClient(*onvif_port, "yard");
  EXPECT_NE(yard.find(R"("media2":true)"), std::string::npos) << yard;
  EXPECT_NE(yard.find(R"({"token":"main","encoding":"H264","width":1920,"height":1080})"),
            std::string::npos)
      << yard;
  EXPECT_NE(yard.find(R"({"token":"sub","encoding":"H264","width":640,"height":360})"),
            std::string::npos)
      << yard;
  EXPECT_NE(yard.find(R"("main":"rtsp://127.0.0.1:)" + rtsp_port + R"(/yard")"), std::string::npos)
      << yard;
  EXPECT_NE(yard.find(R"("sub":"rtsp://127.0.0.1:)" + rtsp_port + R"(/yard_sub")"),
            std::string::npos)
      << yard;
  // 0.6 s at (0.5, -0.25) per second, then stopped: it moved, and stayed.
  const double moved_x = JsonNumber(yard, R"("moving":\{"position":\{"x)");
  EXPECT_GT(moved_x, 0.2) << yard;
  EXPECT_LT(moved_x, 0.6) << yard;
  EXPECT_NE(yard.find(R"("moveStatus":{"panTilt":"MOVING")"), std::string::npos) << yard;
  const double stopped_x = JsonNumber(yard, R"("stopped":\{"x)");
  EXPECT_GT(stopped_x, 0.2) << yard;
  EXPECT_DOUBLE_EQ(JsonNumber(yard, R"("stopped_later":\{"x)"), stopped_x) << yard;
  EXPECT_LT(JsonNumber(yard, R"("stopped":\{"x":[-0-9.]+,"y)"), -0.1) << yard;
  EXPECT_NE(yard.find(R"("preset_token":"preset1")"), std::string::npos) << yard;
  EXPECT_DOUBLE_EQ(JsonNumber(yard, R"("away":\{"x)"), -0.75) << yard;
  EXPECT_DOUBLE_EQ(JsonNumber(yard, R"("back":\{"x)"), stopped_x) << yard;

  const std::string gate = RunClient(*onvif_port, "gate");
  EXPECT_NE(gate.find(R"("main":"rtsp://127.0.0.1:)" + rtsp_port + R"(/gate")"), std::string::npos)
      << gate;
}

// The quirks as npm onvif meets them: it takes only the path from an XAddr (so wrong and
// relative ones do not stop it), reads SOAP 1.1, does UsernameTokens without HTTP Digest, and
// fails on the unescaped '&' (its XML parser is strict), as zoneminder#3767 did.
TEST_F(NpmOnvifTest, QuirksAsNpmOnvifMeetsThem) {
  const std::string f = ",file=" + *sub_;
  Result<std::unique_ptr<ChildProcess>> camsim = ChildProcess::Start(
      SIGHTLINE_BINARY,
      {"camsim", "--listen", "127.0.0.1:0", "--onvif", "127.0.0.1:0", "--stats-interval", "0",
       "--user", "admin", "--password", "s3cret", "--camera",
       "name=porch" + f + ",quirk=onvif-xaddr-wrong", "--camera",
       "name=shed" + f + ",quirk=onvif-soap11,quirk=onvif-token-only", "--camera",
       "name=attic" + f + ",quirk=onvif-xaddr-relative", "--camera",
       "name=amp" + f + ",quirk=onvif-amp"});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  Result<std::string> onvif_port = WaitForOnvifPort(**camsim);
  ASSERT_TRUE(onvif_port.ok()) << onvif_port.status();
  for (const std::string name : {"porch", "shed", "attic"}) {
    const std::string out = RunClient(*onvif_port, name);
    EXPECT_NE(out.find("/" + name + R"(")"), std::string::npos) << name << ": " << out;
    EXPECT_GT(JsonNumber(out, R"("stopped":\{"x)"), 0.2) << name << ": " << out;
  }
  const CommandResult amp = Client(*onvif_port, "amp");
  EXPECT_NE(amp.code, 0) << amp.output;
  EXPECT_NE(amp.output.find("getStreamUri: Wrong ONVIF SOAP response"), std::string::npos)
      << amp.output;
}

}  // namespace
}  // namespace sightline::testing
