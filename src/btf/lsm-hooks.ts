// Facts about the BPF LSM hooks (kernel/bpf/bpf_lsm.c, include/linux/lsm_hook_defs.h) that the
// verifier needs and the built-in BTF does not carry for every hook: which hooks return void
// (their programs' return value is ignored), which return a bool, which the kernel refuses to
// attach to, and which hand their programs untrusted arguments. The void set is the host
// kernel's (6.18) `bpf_lsm_*` stubs whose prototype returns void, with 6.12's names of those
// 6.18 renamed (*_getsecid*); the others are bpf_lsm.c's BTF sets as 6.12 has them.

/** LSM hooks (without the `bpf_lsm_` prefix) that return void. */
const VOID_HOOKS = new Set([
  'audit_rule_free', 'backing_file_free', 'bdev_free_security', 'bpf_map_free', 'bpf_prog_free', 'bpf_token_free',
  'bprm_committed_creds', 'bprm_committing_creds', 'cred_free', 'cred_getlsmprop', 'cred_getsecid', 'cred_transfer',
  'current_getlsmprop_subj', 'current_getsecid_subj', 'd_instantiate', 'file_free_security', 'file_release', 'file_set_fowner',
  'inet_conn_established', 'inet_csk_clone', 'initramfs_populated', 'inode_free_security', 'inode_free_security_rcu',
  'inode_getlsmprop', 'inode_getsecid', 'inode_invalidate_secctx', 'inode_post_create_tmpfile', 'inode_post_remove_acl',
  'inode_post_removexattr', 'inode_post_set_acl', 'inode_post_setattr', 'inode_post_setxattr', 'ipc_getlsmprop',
  'ipc_getsecid', 'key_post_create_or_update', 'msg_msg_free_security', 'msg_queue_free_security',
  'path_post_mknod', 'release_secctx', 'req_classify_flow', 'sb_delete', 'sb_free_mnt_opts', 'sb_free_security',
  'sctp_sk_clone', 'secmark_refcount_dec', 'secmark_refcount_inc', 'sem_free_security', 'shm_free_security',
  'sk_clone_security', 'sk_free_security', 'sk_getsecid', 'sock_graft', 'task_free', 'task_getlsmprop_obj',
  'task_getsecid_obj', 'task_to_inode', 'xfrm_policy_free_security', 'xfrm_state_free_security',
]);

/** bool_lsm_hooks: hooks whose programs return 0 or 1. */
const BOOL_HOOKS = new Set(['xfrm_state_pol_flow_match', 'audit_rule_known', 'inode_xattr_skipcap']);

/** bpf_lsm_disabled_hooks: hooks a BPF program may not attach to. */
const DISABLED_HOOKS = new Set([
  'vm_enough_memory', 'inode_need_killpriv', 'inode_getsecurity', 'inode_listsecurity', 'inode_copy_up_xattr',
  'getselfattr', 'getprocattr', 'setprocattr', 'key_getsecurity', 'audit_rule_match', 'xfrm_decode_session', 'ismaclabel',
]);

/** untrusted_lsm_hooks: the object may be half torn down, so its pointer is not trusted. */
const UNTRUSTED_HOOKS = new Set(['bpf_map_free', 'bpf_prog_free', 'file_alloc_security', 'file_free_security', 'sk_alloc_security', 'sk_free_security', 'task_free']);

/** MAX_ERRNO: a hook returning an int returns 0 or a negative errno. */
const MAX_ERRNO = 4095n;

/** The hook an `lsm/`, `lsm.s/` or `lsm_cgroup/` section names, or undefined for other sections. */
export function lsmHookOf(section: string | undefined): string | undefined {
  return /^lsm(?:\.s|_cgroup)?\/(.+)$/.exec(section ?? '')?.[1];
}

/** The hook's return: `void`, or the range its BPF_LSM_MAC programs must return
 *  (bpf_lsm_get_retval_range: [0, 1] for a bool hook, [-MAX_ERRNO, 0] otherwise). */
export function lsmHookReturn(hook: string): { void: true } | { void: false; range: readonly [bigint, bigint] } {
  if (VOID_HOOKS.has(hook)) return { void: true };
  return { void: false, range: BOOL_HOOKS.has(hook) ? [0n, 1n] : [-MAX_ERRNO, 0n] };
}

/** The hook is one of bpf_lsm_disabled_hooks. */
export function lsmHookDisabled(hook: string): boolean {
  return DISABLED_HOOKS.has(hook);
}

/** The hook passes its programs untrusted pointers (prog_args_trusted is false for it). */
export function lsmHookUntrusted(hook: string): boolean {
  return UNTRUSTED_HOOKS.has(hook);
}
