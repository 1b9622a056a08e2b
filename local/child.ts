/** What every process the embedded stack starts does to end with it (consumers, the pages). */
export const endWithParent = (stop: () => void, parentPid = Number(process.env.SIP_PARENT_PID)): void => {
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  // A parent killed with SIGKILL sends nothing: look for it every second.
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
};
