;;; check-lsp-mode.el --- run lsp-complete-lsp-mode.el in a real (batch) Emacs  -*- lexical-binding: t; -*-
;; Used by check.sh lsp-mode: emacs --batch -q -l check-lsp-mode.el FILE.py
;; Loads the user snippet, starts lsp-mode in the file's folder, checks that the lsp-complete client
;; runs, that completion-at-point offers the fake provider's suggestion and that the "Add docstring"
;; code action applies its edit.

(package-initialize)
(require 'lsp-mode)
(load (expand-file-name "lsp-complete-lsp-mode.el" (file-name-directory load-file-name)) nil t)

(defun check--fail (fmt &rest args)
  (princ (concat "FAIL: " (apply #'format fmt args) "\n"))
  (kill-emacs 1))

(defun check--wait (pred what)
  (let ((deadline (+ (float-time) 20)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred) (check--fail "timed out waiting for %s; buffer:\n%s" what (buffer-string)))))

(let ((file (car command-line-args-left)))
  (setq lsp-auto-guess-root nil
        lsp-enable-file-watchers nil
        lsp-session-file (expand-file-name "lsp-session" temporary-file-directory))
  (find-file file)
  (lsp-workspace-folders-add (file-name-directory file))
  (python-mode)                                   ; runs the snippet's `lsp-deferred' hook
  (lsp)                                           ; batch Emacs has no idle time for lsp-deferred
  (check--wait (lambda () (seq-find (lambda (w) (and (eq (lsp--client-server-id (lsp--workspace-client w)) 'lsp-complete)
                                                    (eq (lsp--workspace-status w) 'initialized)))
                                    (lsp-workspaces)))
               "the lsp-complete client to initialize")
  (princ (format "clients: %S\n" (mapcar (lambda (w) (lsp--client-server-id (lsp--workspace-client w))) (lsp-workspaces))))
  (goto-char (point-max))
  (let* ((capf (lsp-completion-at-point))
         (items (and capf (all-completions "" (nth 2 capf)))))
    (unless (member "compute_total(items)" items)
      (check--fail "completion-at-point items: %S" items))
    (princ (format "completion-at-point: %S\n" (mapcar #'substring-no-properties items))))
  ;; The "Add docstring" code action on `add' (kind refactor.rewrite).
  (goto-char (point-min))
  (search-forward "return a + b")
  (lsp-execute-code-action-by-kind "refactor.rewrite")
  (check--wait (lambda () (save-excursion (goto-char (point-min)) (search-forward "Return the sum" nil t)))
               "the code action's edit")
  (princ (format "buffer after the code action:\n%s\n" (buffer-string)))
  (princ "OK\n")
  (kill-emacs 0))
