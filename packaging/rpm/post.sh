# vmyard %post ($1: 1 on install, 2 on upgrade).
# /etc/vmyard holds the config and the secret files it names: root writes, the service reads.
chgrp vmyard /etc/vmyard && chmod 0750 /etc/vmyard
# The store and the generated TLS key, owned by the service before its first start.
install -d -o vmyard -g vmyard -m 0750 /var/lib/vmyard
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null; then
    # Enabled, not started: the admin sets an engine first. Works without a running systemd.
    systemctl enable vmyard.service >/dev/null 2>&1 || :
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
