#!/bin/sh
# Runs inside the booted test image (boot-check.service, after flamingo and
# multi-user.target): writes what converged to /boot-result/boot-N.txt, one
# "key=value" per line. Then it powers the container off when
# /boot-result/check-powers-off exists; otherwise that is left to flamingo's
# power_state (the seed's), and only if no shutdown has begun 60 s later
# does it write /boot-result/no-power-state-N and power off itself.
n=1
while [ -e "/boot-result/boot-$n.txt" ]; do n=$((n + 1)); done
out="/boot-result/boot-$n.txt"
mono() { systemctl show -p "$2" --value "$1" 2>/dev/null; }
fl_exit_early=$(mono flamingo-local.service ExecMainExitTimestampMonotonic)
{
  echo "hostname=$(hostname)"
  echo "etc_hostname=$(cat /etc/hostname)"
  echo "localtime=$(readlink /etc/localtime)"
  echo "etc_timezone=$(cat /etc/timezone 2>/dev/null)"
  echo "epoch_zone=$(date -d @0 +%Z)"
  echo "host_key=$(cut -d' ' -f2 /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null)"
  echo "host_key_types=$(ls /etc/ssh | sed -n 's/^ssh_host_\(.*\)_key$/\1/p' | sort | tr '\n' ' ')"
  echo "host_key_mode=$(stat -c %a /etc/ssh/ssh_host_rsa_key 2>/dev/null)"
  echo "alice=$(getent passwd alice | cut -d: -f1,6,7)"
  echo "alice_groups=$(id -nG alice 2>/dev/null)"
  echo "alice_key=$(cut -d' ' -f3 /home/alice/.ssh/authorized_keys 2>/dev/null)"
  echo "alice_key_owner=$(stat -c %U /home/alice/.ssh/authorized_keys 2>/dev/null)"
  echo "sshd_passwordauthentication=$(/usr/sbin/sshd -T 2>/dev/null | awk '/^passwordauthentication /{print $2}')"
  # what provisioning tools wait for: "UPTIME - TIMESTAMP - v. VERSION"
  echo "boot_finished=$(sed -n 's/^[0-9][0-9.]* - .* - v\. .*/yes/p' /var/lib/cloud/instance/boot-finished 2>/dev/null)"
  echo "file=$(cat /etc/flamingo-test/hello.conf 2>/dev/null)"
  echo "file_mode=$(stat -c %a /etc/flamingo-test/hello.conf 2>/dev/null)"
  echo "unit_enabled=$(systemctl is-enabled hello.service 2>&1)"
  echo "unit_active=$(systemctl is-active hello.service 2>&1)"
  echo "unit_runs=$(wc -l < /var/lib/flamingo-test/hello.log 2>/dev/null)"
  echo "runcmd_runs=$(wc -l < /var/lib/flamingo-test/runcmd.log 2>/dev/null)"
  echo "bootcmd_runs=$(wc -l < /var/lib/flamingo-test/bootcmd.log 2>/dev/null)"
  echo "flamingo_local=$(mono flamingo-local.service Result)/$(mono flamingo-local.service ExecMainStatus)"
  echo "flamingo_final=$(mono flamingo-final.service ActiveState)"
  echo "flamingo_scripts=$(mono flamingo-scripts.service Result)/$(mono flamingo-scripts.service ExecMainStatus)"
  # runcmd runs in flamingo-scripts, once network-online.target was reached
  # (as cloud-init's final stage), and after the early unit.
  net_online=$(mono network-online.target ActiveEnterTimestampMonotonic)
  sc_start=$(mono flamingo-scripts.service ExecMainStartTimestampMonotonic)
  if [ -n "$net_online" ] && [ -n "$sc_start" ] && [ "$net_online" -gt 0 ] &&
     [ "$sc_start" -ge "$net_online" ] && [ "$sc_start" -ge "$fl_exit_early" ]; then
    echo "scripts_after_network=yes"
  else
    echo "scripts_after_network=no (start $sc_start, network-online $net_online, early exit $fl_exit_early)"
  fi
  fl_exit=$(mono flamingo-local.service ExecMainExitTimestampMonotonic)
  ssh_start=$(mono ssh.service ExecMainStartTimestampMonotonic)
  if [ -n "$fl_exit" ] && [ -n "$ssh_start" ] && [ "$ssh_start" -gt 0 ] &&
     [ "$ssh_start" -ge "$fl_exit" ]; then
    echo "ssh_after_flamingo=yes"
  else
    echo "ssh_after_flamingo=no ($ssh_start < $fl_exit)"
  fi
  for u in flamingo-local.service flamingo-final.service \
      flamingo-scripts.service hello.service; do
    echo "time_$u=$(mono $u InactiveExitTimestampMonotonic) $(mono $u ExecMainExitTimestampMonotonic)"
  done
  echo "power_state_scheduled=$(grep -c '^flamingo: power_state: `shutdown -P now' /var/log/flamingo-output.log 2>/dev/null)"
  echo "failed_units=$(systemctl list-units --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')"
} > "$out.tmp" 2>&1
journalctl -b -u flamingo-local.service -u flamingo-final.service \
  -u flamingo-scripts.service \
  -u hello.service --no-pager > "/boot-result/journal-$n.txt" 2>&1
mv "$out.tmp" "$out"
if [ ! -e /boot-result/check-powers-off ]; then
  sleep 60
  : > "/boot-result/no-power-state-$n"
fi
systemctl --no-block poweroff
