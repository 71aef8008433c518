// The unit kind end to end through the engine on a FakeSystem, with and
// without a (fake) running systemd.
#include "resources/unit_resource.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/graph.h"
#include "engine/logger.h"
#include "resources/kinds.h"
#include "resources/unit_spec.h"
#include "schemas/yaml_loader.h"
#include "system/fake_system.h"
#include "system/systemd/fake_service_manager.h"

namespace flamingo {
namespace {

constexpr const char* kRedis = R"(#cloud-config
coreos:
  units:
    - name: redis.service
      command: start
      enable: true
      content: |
        [Unit]
        Description=Redis
        [Service]
        ExecStart=/usr/bin/redis-server
        [Install]
        WantedBy=multi-user.target
        Alias=cache.service
      drop-ins:
        - name: 10-mem.conf
          content: |
            [Service]
            MemoryMax=1G
)";

class UnitTest : public ::testing::Test {
 protected:
  // Compiles `yaml`; returns the diagnostics, one per line.
  std::string Compile(const std::string& yaml) {
    Diagnostics d;
    auto v = LoadYaml(yaml, "user-data", &d);
    config_ = v ? *v : Value::Map();
    graph_ = std::make_unique<Graph>();
    std::vector<ScriptPart> scripts;
    Value meta = Value::Map();
    CompileInput in{config_, meta, scripts, run_};
    CompileOutput out;
    CompileUnits(in, &out, &d);
    for (auto& r : out.resources) graph_->Add(std::move(r));
    std::string text;
    for (const auto& i : d.items()) text += i.ToString() + "\n";
    return text;
  }
  Plan PlanOn(const SystemReader& sys) {
    EXPECT_TRUE(graph_->Build().ok());
    KindOrphanFactory orphans;
    return MakePlan(*graph_, sys, run_, records_, &orphans);
  }
  ApplyReport Apply(System& sys) {
    Plan plan = PlanOn(sys);
    for (const auto& i : plan.items) {
      EXPECT_TRUE(i.error.ok()) << i.error.message();
    }
    NullLogger log;
    return ApplyPlan(*graph_, plan, sys, run_, &records_, &log);
  }
  static std::string Fields(const Change& c) {
    std::string out;
    for (const auto& f : c.fields) {
      out += f.name + ": " + f.before.value_or("-") + " -> " +
             f.after.value_or("-") + "\n";
    }
    return out;
  }
  static std::string Link(const FakeSystem& sys, const std::string& p) {
    auto e = sys.GetFile(p);
    if (!e || e->type != FileType::kSymlink) return "(none)";
    return e->target;
  }

  FakeSystem sys_;
  FakeServiceManager sm_;
  RunInfo run_;
  RecordTable records_;
  Value config_;
  std::unique_ptr<Graph> graph_;
};

TEST_F(UnitTest, OfflineWritesFilesAndInstallLinksLikeSystemctlRoot) {
  ASSERT_EQ(Compile(kRedis), "");
  Plan plan = PlanOn(sys_);
  ASSERT_EQ(plan.items.size(), 1u);
  const Change& c = plan.items[0].change;
  EXPECT_EQ(c.id, "unit[redis.service]");
  EXPECT_EQ(c.action, Action::kCreate);
  std::string fields = Fields(c);
  EXPECT_NE(fields.find("content: - -> sha256:"), std::string::npos) << fields;
  EXPECT_NE(fields.find("drop-in 10-mem.conf: - -> sha256:"),
            std::string::npos);
  EXPECT_NE(fields.find("enabled: disabled -> enabled"), std::string::npos);
  EXPECT_EQ(fields.find("job"), std::string::npos);
  EXPECT_NE(c.reason.find("no running systemd"), std::string::npos);
  EXPECT_EQ(sys_.mutation_count(), 0);  // plan changes nothing

  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  auto unit = sys_.GetFile("/etc/systemd/system/redis.service");
  ASSERT_TRUE(unit);
  EXPECT_NE(unit->content.find("ExecStart=/usr/bin/redis-server"),
            std::string::npos);
  EXPECT_EQ(unit->attrs.mode, 0644u);
  EXPECT_TRUE(sys_.GetFile("/etc/systemd/system/redis.service.d/10-mem.conf"));
  EXPECT_EQ(
      Link(sys_, "/etc/systemd/system/multi-user.target.wants/redis.service"),
      "/etc/systemd/system/redis.service");
  EXPECT_EQ(Link(sys_, "/etc/systemd/system/cache.service"),
            "/etc/systemd/system/redis.service");

  // Second run: converged, nothing written.
  int before = sys_.mutation_count();
  ASSERT_EQ(Compile(kRedis), "");
  Plan again = PlanOn(sys_);
  EXPECT_EQ(again.items[0].change.action, Action::kNone);
  EXPECT_EQ(sys_.mutation_count(), before);
}

TEST_F(UnitTest, LiveReloadsOnceAndEnqueuesStartWithoutWaiting) {
  sys_.set_live(true);
  sys_.set_services(&sm_);
  ASSERT_EQ(Compile(kRedis), "");
  Plan plan = PlanOn(sys_);
  std::string fields = Fields(plan.items[0].change);
  EXPECT_NE(fields.find("active: inactive -> -"), std::string::npos) << fields;
  EXPECT_NE(fields.find("job: - -> start"), std::string::npos);
  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  // The start job is queued, not finished: that counts as converged.
  EXPECT_EQ(sm_.calls(),
            (std::vector<std::string>{"reload", "start redis.service"}));
  // Next run with the unit running: no reload, no job.
  sm_.RunJobs();
  ASSERT_EQ(Compile(kRedis), "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(sm_.calls().size(), 2u);
}

// systemd that looks the unit file up on disk, as systemd >= 246 does for a
// unit it had not found before: loaded once the file is there.
class DiskBackedServiceManager : public FakeServiceManager {
 public:
  DiskBackedServiceManager(const FakeSystem& sys, bool retries_not_found)
      : sys_(sys), retries_(retries_not_found) {}
  Result<UnitState> GetUnit(std::string_view name) const override {
    std::string n(name);
    if (!seen_.count(n) || retries_) {
      seen_[n] = sys_.Exists("/etc/systemd/system/" + n);
    }
    if (!seen_[n]) {
      UnitState st;
      st.load_state = "not-found";
      st.active_state = "inactive";
      return st;
    }
    return FakeServiceManager::GetUnit(name);
  }
  Status Reload() override {
    seen_.clear();  // every unit is looked up again
    return FakeServiceManager::Reload();
  }

 private:
  const FakeSystem& sys_;
  bool retries_;
  mutable std::map<std::string, bool> seen_;
};

// A unit systemd has never loaded needs no daemon-reload (a reload re-runs
// every generator: hundreds of ms at boot); enable links alone need none.
TEST_F(UnitTest, NewUnitIsStartedWithoutDaemonReload) {
  DiskBackedServiceManager sm(sys_, /*retries_not_found=*/true);
  sys_.set_live(true);
  sys_.set_services(&sm);
  ASSERT_EQ(Compile(kRedis), "");
  Plan plan = PlanOn(sys_);
  EXPECT_EQ(plan.items[0].change.reason.find("daemon-reload"),
            std::string::npos);
  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  EXPECT_EQ(sm.calls(), (std::vector<std::string>{"start redis.service"}));
  // Its file changed while loaded: now the definition is stale.
  sm.RunJobs();
  std::string changed = kRedis;
  changed.replace(changed.find("Description=Redis"), 17, "Description=R2");
  ASSERT_EQ(Compile(changed), "");
  plan = PlanOn(sys_);
  EXPECT_NE(plan.items[0].change.reason.find("then daemon-reload"),
            std::string::npos);
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(sm.calls(),
            (std::vector<std::string>{"start redis.service", "reload"}));
  sys_.set_services(nullptr);
}

// systemd < 246 keeps a "not-found" unit until a daemon-reload.
TEST_F(UnitTest, NewUnitStillNotFoundGetsDaemonReload) {
  DiskBackedServiceManager sm(sys_, /*retries_not_found=*/false);
  sys_.set_live(true);
  sys_.set_services(&sm);
  ASSERT_EQ(Compile(kRedis), "");
  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  EXPECT_EQ(sm.calls(),
            (std::vector<std::string>{"reload", "start redis.service"}));
  sys_.set_services(nullptr);
}

TEST_F(UnitTest, RestartOnlyWhenFilesChange) {
  sys_.set_live(true);
  sys_.set_services(&sm_);
  sys_.AddFile("/lib/systemd/system/docker.service",
               "[Service]\nExecStart=/usr/bin/dockerd\n");
  sm_.SetUnit("docker.service", {"loaded", "active", "", false});
  const char* cfg = R"(coreos:
  units:
    - name: docker.service
      drop-ins:
        - name: 20-http-proxy.conf
          content: |
            [Service]
            Environment="HTTP_PROXY=http://proxy.example.com:8080"
      command: restart
)";
  ASSERT_EQ(Compile(cfg), "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(sm_.calls(),
            (std::vector<std::string>{"reload", "restart docker.service"}));
  sm_.RunJobs();
  ASSERT_EQ(Compile(cfg), "");
  Plan again = PlanOn(sys_);
  EXPECT_EQ(again.items[0].change.action, Action::kNone);
}

TEST_F(UnitTest, MaskAndStop) {
  sys_.set_live(true);
  sys_.set_services(&sm_);
  sys_.AddFile("/lib/systemd/system/systemd-timesyncd.service",
               "[Service]\nExecStart=/bin/true\n");
  sm_.SetUnit("systemd-timesyncd.service", {"loaded", "active", "", false});
  const char* cfg = R"(coreos:
  units:
    - name: systemd-timesyncd.service
      command: stop
      mask: true
)";
  ASSERT_EQ(Compile(cfg), "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(Link(sys_, "/etc/systemd/system/systemd-timesyncd.service"),
            "/dev/null");
  EXPECT_EQ(sm_.calls(), (std::vector<std::string>{
                             "reload", "stop systemd-timesyncd.service"}));
  // Unmask removes the link.
  ASSERT_EQ(Compile("systemd:\n  units:\n    - name: "
                    "systemd-timesyncd.service\n      mask: false\n"),
            "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system/systemd-timesyncd.service"));
}

TEST_F(UnitTest, EnableExistingUnitFollowsItsInstallSectionAndAlso) {
  sys_.AddFile("/lib/systemd/system/ssh.service",
               "[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\n"
               "WantedBy=multi-user.target\nAlias=sshd.service\n"
               "Also=ssh.socket\n");
  sys_.AddFile(
      "/lib/systemd/system/ssh.socket",
      "[Socket]\nListenStream=22\n[Install]\nWantedBy=sockets.target\n");
  ASSERT_EQ(Compile("systemd:\n  units:\n    - name: ssh.service\n"
                    "      enable: true\n"),
            "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(
      Link(sys_, "/etc/systemd/system/multi-user.target.wants/ssh.service"),
      "/lib/systemd/system/ssh.service");
  EXPECT_EQ(Link(sys_, "/etc/systemd/system/sshd.service"),
            "/lib/systemd/system/ssh.service");
  EXPECT_EQ(Link(sys_, "/etc/systemd/system/sockets.target.wants/ssh.socket"),
            "/lib/systemd/system/ssh.socket");
  // The unit existed: flamingo did not create it, so nothing is recorded for
  // deletion beyond the links it made.
  EXPECT_EQ(
      records_.Get("unit[ssh.service]").value_or(Record()).count("created"),
      0u);

  // enable: false disables: the links go.
  ASSERT_EQ(Compile("systemd:\n  units:\n    - name: ssh.service\n"
                    "      enable: false\n"),
            "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_FALSE(
      sys_.Exists("/etc/systemd/system/multi-user.target.wants/ssh.service"));
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system/sshd.service"));
}

TEST_F(UnitTest, TemplateWithDefaultInstanceAndRuntime) {
  const char* cfg = R"(systemd:
  units:
    - name: agent@.service
      runtime: true
      enable: true
      content: |
        [Service]
        ExecStart=/bin/agent %i
        [Install]
        WantedBy=multi-user.target
        DefaultInstance=main
)";
  ASSERT_EQ(Compile(cfg), "");
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_TRUE(sys_.Exists("/run/systemd/system/agent@.service"));
  EXPECT_EQ(Link(sys_,
                 "/run/systemd/system/multi-user.target.wants/"
                 "agent@main.service"),
            "/run/systemd/system/agent@.service");
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system"));
}

TEST_F(UnitTest, EnableWithoutUnitFileIsAPlanError) {
  ASSERT_EQ(Compile("systemd:\n  units:\n    - name: nope.service\n"
                    "      enable: true\n"),
            "");
  Plan plan = PlanOn(sys_);
  ASSERT_FALSE(plan.items[0].error.ok());
  EXPECT_NE(plan.items[0].error.message().find("no unit file"),
            std::string::npos);
}

TEST_F(UnitTest, BadInputIsReportedWithPositions) {
  std::string d = Compile(R"(coreos:
  units:
    - name: "bad name.service"
    - name: nosuffix
    - name: a.service
      content: |
        [Unit]
        Description=x
        garbage line
    - name: b.service
      mask: true
      enable: true
    - name: c.service
      command: bounce
    - name: d.service
      enable: true
      content: |
        [Service]
        ExecStart=/bin/true
    - name: e.service
      drop-ins:
        - name: ../x.conf
          content: "[Service]\n"
systemd:
  units:
    - name: b.service
)");
  EXPECT_NE(d.find("user-data:3:13: coreos.units[0].name: invalid unit name "
                   "\"bad name.service\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("user-data:4:13: coreos.units[1].name: invalid unit name "
                   "\"nosuffix\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("coreos.units[2].content: line 3 of the unit: expected"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("user-data:12:15: coreos.units[3].enable: unit b.service "
                   "is both masked and enabled"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("coreos.units[4].command: unknown command \"bounce\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("coreos.units[5].enable: unit d.service cannot be "
                   "enabled"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("coreos.units[6].drop-ins[0].name: a drop-in name"),
            std::string::npos)
      << d;
  // b.service was rejected above, so the second b is not a duplicate; a
  // valid duplicate is tested below.
  EXPECT_EQ(graph_->size(), 1u);  // only systemd.units[0] survived
  std::string dup = Compile(
      "coreos:\n  units:\n    - name: x.service\n      enable: true\n"
      "systemd:\n  units:\n    - name: x.service\n      enable: false\n");
  EXPECT_NE(dup.find("user-data:7:7: systemd.units[0]: unit x.service (also "
                     "declared at user-data:3:7): enable is both true and "
                     "false"),
            std::string::npos)
      << dup;
}

// CoreOS configs list a unit twice ("stop" early, "restart" late): merged,
// the later command wins, with a warning.
TEST_F(UnitTest, RepeatedUnitIsMergedAndTheLastCommandWins) {
  sys_.set_live(true);
  sys_.set_services(&sm_);
  // Running: restarted anyway on the first apply (it must read the new
  // .network file), not again later.
  sm_.SetUnit("systemd-networkd.service", {"loaded", "active", "", false});
  const char* cfg = R"(coreos:
  units:
    - name: systemd-networkd.service
      command: stop
    - name: 00-eth0.network
      runtime: true
      content: |
        [Match]
        Name=eth0
        [Network]
        Address=10.0.0.101/24
    - name: systemd-networkd.service
      command: restart
)";
  std::string d = Compile(cfg);
  EXPECT_NE(d.find("user-data:12:7: warning: coreos.units[2]: unit "
                   "systemd-networkd.service (also declared at "
                   "user-data:3:7): command restart replaces stop"),
            std::string::npos)
      << d;
  EXPECT_EQ(graph_->size(), 2u);
  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok());
  // The networkd file goes where networkd reads it; no daemon-reload for it.
  auto net = sys_.GetFile("/run/systemd/network/00-eth0.network");
  ASSERT_TRUE(net);
  EXPECT_NE(net->content.find("Name=eth0"), std::string::npos);
  EXPECT_EQ(sm_.calls(),
            std::vector<std::string>{"restart systemd-networkd.service"});
  sm_.RunJobs();
  Compile(cfg);
  ASSERT_TRUE(Apply(sys_).ok());
  EXPECT_EQ(sm_.calls().size(), 1u);
}

TEST_F(UnitTest, NetworkdFilesTakeNoUnitOptions) {
  std::string d = Compile(R"(systemd:
  units:
    - name: br0.netdev
      enable: true
      content: "[NetDev]\nName=br0\nKind=bridge\n"
    - name: ../x.link
      content: "[Match]\n"
)");
  EXPECT_NE(d.find("systemd.units[0].enable: br0.netdev is a "
                   "systemd-networkd file, not a unit: it has no enable"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("systemd.units[1].name: invalid unit name \"../x.link\""),
            std::string::npos)
      << d;
}

TEST_F(UnitTest, OrphanRemovesOnlyWhatFlamingoCreated) {
  sys_.AddFile("/etc/systemd/system/keep.service", "[Service]\n");
  ASSERT_EQ(Compile(kRedis), "");
  ASSERT_TRUE(Apply(sys_).ok());
  ASSERT_EQ(records_.at("unit[redis.service]").at("created"), "true");
  ASSERT_EQ(Compile("{}"), "");
  ApplyReport r = Apply(sys_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system/redis.service"));
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system/redis.service.d"));
  EXPECT_FALSE(
      sys_.Exists("/etc/systemd/system/multi-user.target.wants/redis.service"));
  EXPECT_FALSE(sys_.Exists("/etc/systemd/system/cache.service"));
  EXPECT_TRUE(sys_.Exists("/etc/systemd/system/keep.service"));
}

TEST_F(UnitTest, FailedReloadFailsTheResource) {
  sys_.set_live(true);
  sys_.set_services(&sm_);
  sm_.FailNext("reload");
  ASSERT_EQ(Compile(kRedis), "");
  ApplyReport r = Apply(sys_);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.results[0].message.find("injected failure"), std::string::npos);
}

}  // namespace
}  // namespace flamingo
