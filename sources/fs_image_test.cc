#include "sources/fs_image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sources/datasource.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return "";
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  if (rc != 0) out = "FAILED(" + std::to_string(rc) + "): " + out;
  return out;
}

class Images : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flamingo-img-" + std::to_string(getpid()));
    fs::create_directories(dir_ / "nocloud");
    fs::create_directories(dir_ / "cd/openstack/latest");
    Write("nocloud/meta-data",
          "instance-id: iid-cidata\nlocal-hostname: fromdisk\n");
    Write("nocloud/user-data", "#cloud-config\nlocale: C\n");
    Write("nocloud/network-config", "version: 2\n");
    Write(
        "cd/openstack/latest/meta_data.json",
        R"({"uuid": "uuid-cd", "hostname": "cd.host", "public_keys": {"k": "ssh-rsa CD"}})");
    Write("cd/openstack/latest/user_data", "#!/bin/sh\necho cd\n");
    Write("cd/openstack/latest/vendor_data.json",
          R"({"cloud-init": "#cloud-config\nlocale: C\n"})");
    Write("cd/openstack/latest/network_data.json",
          R"({"links": [{"id": "eth0"}]})");
  }
  void TearDown() override {
    for (const std::string& l : loops_) Shell("losetup -d " + l);
    fs::remove_all(dir_);
  }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel) << content;
  }
  std::string Iso(const std::string& src, const std::string& label,
                  const std::string& flags) {
    std::string img = (dir_ / (src + label + ".iso")).string();
    std::string r = Shell("genisoimage -quiet " + flags + " -V " + label +
                          " -o " + img + " " + (dir_ / src).string());
    EXPECT_EQ(r, "");
    return img;
  }
  std::string Vfat(const std::string& src, const std::string& label) {
    std::string img = (dir_ / (src + label + ".img")).string();
    std::string r = Shell("truncate -s 4M " + img + " && mkfs.vfat -n " +
                          label + " " + img + " >/dev/null && mcopy -s -i " +
                          img + " " + (dir_ / src).string() + "/* ::/");
    EXPECT_EQ(r.find("FAILED"), std::string::npos) << r;
    return img;
  }
  // Attaches a loop device; "" if the machine cannot.
  std::string Loop(const std::string& img) {
    std::string out = Shell("losetup -f --show -r " + img);
    if (out.rfind("/dev/loop", 0) != 0) return "";
    out.erase(out.find_last_not_of("\n") + 1);
    loops_.push_back(out);
    return out;
  }
  fs::path dir_;
  std::vector<std::string> loops_;
};

TEST_F(Images, IsoJolietRockRidgeAndPlain) {
  for (const char* flags : {"-J -r", "-r", "-J", ""}) {
    std::string img = Iso("nocloud", "cidata", flags);
    auto f = OpenFsImage(img);
    ASSERT_TRUE(f.ok()) << flags << f.status().message();
    EXPECT_EQ((*f)->type(), "iso9660");
    EXPECT_EQ((*f)->label(), "cidata");
    auto m = (*f)->ReadFile("meta-data", 1 << 20);
    if (std::string(flags).empty()) {
      // Plain ISO9660 names are 8.3: "META_DAT"; no long names without
      // extensions.
      continue;
    }
    ASSERT_TRUE(m.ok() && m->has_value()) << flags;
    EXPECT_EQ(**m, "instance-id: iid-cidata\nlocal-hostname: fromdisk\n");
    auto missing = (*f)->ReadFile("nope", 1 << 20);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
    auto small = (*f)->ReadFile("meta-data", 4);
    EXPECT_FALSE(small.ok());
  }
  std::string cd = Iso("cd", "config-2", "-J -r");
  auto f = OpenFsImage(cd);
  ASSERT_TRUE(f.ok());
  auto m = (*f)->ReadFile("openstack/latest/meta_data.json", 1 << 20);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_NE((*m)->find("uuid-cd"), std::string::npos);
}

TEST_F(Images, Xorriso) {
  std::string img = (dir_ / "x.iso").string();
  std::string r = Shell("xorriso -as mkisofs -quiet -V CIDATA -J -r -o " + img +
                        " " + (dir_ / "nocloud").string());
  ASSERT_EQ(r.find("FAILED"), std::string::npos) << r;
  auto f = OpenFsImage(img);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->label(), "CIDATA");
  auto m = (*f)->ReadFile("user-data", 1 << 20);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ(**m, "#cloud-config\nlocale: C\n");
}

TEST_F(Images, Vfat) {
  std::string img = Vfat("cd", "CONFIG-2");
  auto f = OpenFsImage(img);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->type(), "vfat");
  EXPECT_EQ((*f)->label(), "CONFIG-2");
  auto m = (*f)->ReadFile("openstack/latest/network_data.json", 1 << 20);
  ASSERT_TRUE(m.ok() && m->has_value())
      << (m.ok() ? "missing" : m.status().message());
  EXPECT_EQ(**m, R"({"links": [{"id": "eth0"}]})");
  auto v = (*f)->ReadFile("OPENSTACK/LATEST/vendor_data.json", 1 << 20);
  ASSERT_TRUE(v.ok() && v->has_value());
}

TEST_F(Images, CorruptImagesAreErrors) {
  std::string img = Iso("nocloud", "cidata", "-J -r");
  std::string data;
  {
    std::ifstream in(img, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Truncated after the volume descriptors, and garbage in the root directory.
  std::ofstream(dir_ / "trunc.iso", std::ios::binary)
      << data.substr(0, 17 * 2048 + 100);
  auto t = OpenFsImage((dir_ / "trunc.iso").string());
  if (t.ok()) {
    EXPECT_FALSE((*t)->ReadFile("meta-data", 1 << 20).ok());
  }
  std::string garbled = data;
  for (size_t i = 18 * 2048; i < garbled.size() && i < 40 * 2048; i += 7)
    garbled[i] = '\xff';
  std::ofstream(dir_ / "garbled.iso", std::ios::binary) << garbled;
  auto g = OpenFsImage((dir_ / "garbled.iso").string());
  if (g.ok()) (void)(*g)->ReadFile("meta-data", 1 << 20);  // must not crash
  std::ofstream(dir_ / "zero.img", std::ios::binary)
      << std::string(1 << 20, '\0');
  EXPECT_FALSE(OpenFsImage((dir_ / "zero.img").string()).ok());
  std::string fat = Vfat("nocloud", "CIDATA");
  std::string fd;
  {
    std::ifstream in(fat, std::ios::binary);
    fd.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 512; i < 16384; ++i)
    fd[i] = '\xff';  // FAT: every chain loops/ends badly
  std::ofstream(dir_ / "badfat.img", std::ios::binary) << fd;
  auto b = OpenFsImage((dir_ / "badfat.img").string());
  if (b.ok()) (void)(*b)->ReadFile("meta-data", 1 << 20);
}

// Real loop devices, found by label through a (fake) /sys/class/block that
// lists only our devices, read in place: nothing is mounted.
TEST_F(Images, LoopDevicesFoundByLabel) {
  std::string iso_dev = Loop(Iso("nocloud", "cidata", "-J -r"));
  if (iso_dev.empty())
    GTEST_SKIP() << "loop devices unavailable here (losetup failed)";
  std::string fat_dev = Loop(Vfat("cd", "CONFIG-2"));
  ASSERT_FALSE(fat_dev.empty());
  fs::path sys = dir_ / "sys";
  for (const std::string& d : {iso_dev, fat_dev}) {
    fs::create_directories(sys / "class/block" / fs::path(d).filename());
  }
  DiscoverOptions o;
  o.paths.root = (dir_ / "root").string();
  o.paths.sysfs = sys.string();
  o.paths.proc_cmdline = (dir_ / "cmdline").string();
  o.paths.by_label = (dir_ / "no-by-label").string();
  auto r = DiscoverInstance(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->datasource, "nocloud");
  EXPECT_EQ(r->instance_id, "iid-cidata");
  EXPECT_EQ(r->local_hostname, "fromdisk");
  EXPECT_EQ(r->subplatform, "config-disk (" + iso_dev + ")");
  EXPECT_EQ(r->network_data["version"], 2);
  o.datasource = "configdrive";
  auto c = DiscoverInstance(o, nullptr);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->instance_id, "uuid-cd");
  EXPECT_EQ(c->public_keys, std::vector<std::string>{"ssh-rsa CD"});
  EXPECT_EQ(c->user_data, "#!/bin/sh\necho cd\n");
  EXPECT_EQ(c->vendor_data, "#cloud-config\nlocale: C\n");
  EXPECT_EQ(Shell("grep -c " + iso_dev + " /proc/mounts || true"), "0\n");
}

// A config drive without "latest": the newest dated version is read.
TEST_F(Images, ConfigDriveWithOnlyDatedVersions) {
  fs::create_directories(dir_ / "dated/openstack/2013-10-17");
  fs::create_directories(dir_ / "dated/openstack/2015-10-15");
  Write("dated/openstack/2013-10-17/meta_data.json", R"({"uuid": "old"})");
  Write("dated/openstack/2015-10-15/meta_data.json", R"({"uuid": "newer"})");
  Write("dated/openstack/2015-10-15/user_data", "#cloud-config\n");
  std::string dev = Loop(Iso("dated", "config-2", "-J -r"));
  if (dev.empty()) GTEST_SKIP() << "loop devices unavailable here";
  fs::path sys = dir_ / "sys-dated";
  fs::create_directories(sys / "class/block" / fs::path(dev).filename());
  DiscoverOptions o;
  o.paths.root = (dir_ / "root").string();
  o.paths.sysfs = sys.string();
  o.paths.proc_cmdline = (dir_ / "cmdline").string();
  o.paths.by_label = (dir_ / "no-by-label").string();
  o.datasource = "configdrive";
  auto c = DiscoverInstance(o, nullptr);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->instance_id, "newer");
  EXPECT_EQ(c->user_data, "#cloud-config\n");
  EXPECT_EQ(c->meta_data_name, dev + ":openstack/2015-10-15/meta_data.json");
  // Neither latest nor a dated version: the error says what is missing.
  fs::create_directories(dir_ / "empty/openstack");
  Write("empty/openstack/README", "nothing\n");
  std::string none = Loop(Iso("empty", "config-2", "-J -r"));
  ASSERT_FALSE(none.empty());
  fs::path sys2 = dir_ / "sys-empty";
  fs::create_directories(sys2 / "class/block" / fs::path(none).filename());
  o.paths.sysfs = sys2.string();
  auto e = DiscoverInstance(o, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("no openstack/latest/meta_data.json"),
            std::string::npos)
      << e.status().message();
}

}  // namespace
}  // namespace flamingo
