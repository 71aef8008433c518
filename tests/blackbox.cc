#include "tests/blackbox.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/sha256.h"

extern char** environ;

namespace flamingo::blackbox {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string ReadSourceFile(const std::string& rel) {
  return ReadFile(std::string(FLAMINGO_SOURCE_DIR) + "/" + rel);
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

RunResult RunFlamingo(const std::vector<std::string>& args,
                      const std::vector<std::string>& env) {
  TempDir tmp;
  std::string out_path = tmp.path() + "/out", err_path = tmp.path() + "/err";
  std::vector<std::string> argv_s = {FLAMINGO_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  RunResult r;
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "flamingo-test-XXXXXX");
  char* p = mkdtemp(tmpl.data());
  if (p == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::Write(const std::string& rel, const std::string& content,
                    int mode) const {
  std::string p = path_ + "/" + rel;
  WriteFile(p, content);
  chmod(p.c_str(), static_cast<mode_t>(mode));
}

std::string TempDir::Read(const std::string& rel) const {
  return ReadFile(path_ + "/" + rel);
}

bool TempDir::Exists(const std::string& rel) const {
  struct stat st;
  return lstat((path_ + "/" + rel).c_str(), &st) == 0;
}

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir);
       it != fs::recursive_directory_iterator(); ++it) {
    std::string p = it->path().string();
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    std::string rel = p.substr(dir.size());
    std::ostringstream desc;
    desc << std::oct << (st.st_mode & 07777) << std::dec << " " << st.st_uid
         << ":" << st.st_gid << " ";
    if (S_ISLNK(st.st_mode)) {
      desc << "link " << fs::read_symlink(it->path()).string();
    } else if (S_ISDIR(st.st_mode)) {
      desc << "dir";
    } else {
      desc << "file " << Sha256Hex(ReadFile(p));
    }
    out[rel] = desc.str();
  }
  return out;
}

std::map<std::string, std::string> TargetSnapshot(const std::string& root) {
  auto snap = Snapshot(root);
  auto under = [](const std::string& p, std::string_view dir) {
    return p.rfind(dir, 0) == 0 &&
           (p.size() == dir.size() || p[dir.size()] == '/');
  };
  for (auto it = snap.begin(); it != snap.end();) {
    bool own =
        under(it->first, "/var/lib/flamingo") || under(it->first, "/run");
    it = own ? snap.erase(it) : std::next(it);
  }
  return snap;
}

}  // namespace flamingo::blackbox
